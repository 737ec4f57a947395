"""The eight Unseen NAS datasets: shapes, classes, split sizes and where they are published.

Geada, Towers, Forshaw, Atapour-Abarghouei, McGough, "Insights from the Use of Previously
Unseen Neural Architecture Search Datasets", CVPR 2024 (arXiv 2404.02189), Table 1. The
published layout is six numpy files (train_x.npy ... test_y.npy, x float32 (N, C, H, W),
y integer labels) plus a metadata file, on the Newcastle University data repository
(DOI 10.25405/data.ncl.<article>, a figshare instance).
"""

from __future__ import annotations

import dataclasses

SPLITS = ("train", "valid", "test")

#: What a dataset on disk is, recorded in its metadata. Only "faithful" data may be reported
#: as the paper's dataset; "variant" follows the rule on a different source pool or class set,
#: "substitute" replaces the raw source by another one (e.g. Fashion-MNIST for CIFAR-10).
KINDS = ("faithful", "variant", "substitute")


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """Facts about one published dataset.

    name: canonical spelling (also the folder name, lowercased).
    shape: (C, H, W) of one example as published.
    num_classes: labels are 0..num_classes-1.
    sizes: examples in (train, valid, test) as published.
    article: figshare article id on data.ncl.ac.uk (None: never released).
    class_names: label order.
    buildable: False where no raw source is public (loader only).
    """

    name: str
    shape: tuple[int, int, int]
    num_classes: int
    sizes: tuple[int, int, int]
    article: int | None
    class_names: tuple[str, ...]
    buildable: bool = True

    @property
    def folder(self) -> str:
        return self.name.lower()

    @property
    def doi(self) -> str | None:
        return None if self.article is None else f"10.25405/data.ncl.{self.article}"

    def size_of(self, split: str) -> int:
        return self.sizes[SPLITS.index(split)]


_DIGIT_SUMS = tuple(f"sum={s}" for s in range(1, 21))

SPECS: dict[str, DatasetSpec] = {
    spec.folder: spec
    for spec in (
        DatasetSpec("AddNIST", (3, 28, 28), 20, (45_000, 15_000, 10_000), 24574354, _DIGIT_SUMS),
        DatasetSpec(
            "Language", (1, 24, 24), 10, (50_000, 10_000, 10_000), 24574729,
            ("en", "nl", "de", "es", "fr", "pt_PT", "sw", "zu", "fi", "sv"),
        ),
        DatasetSpec(
            "MultNIST", (3, 28, 28), 10, (50_000, 10_000, 10_000), 24574678,
            tuple(f"product%10={d}" for d in range(10)),
        ),
        DatasetSpec(
            "CIFARTile", (3, 64, 64), 4, (45_000, 15_000, 10_000), 24551539,
            ("1 class", "2 classes", "3 classes", "4 classes"),
        ),
        DatasetSpec(
            "Gutenberg", (1, 27, 18), 6, (45_000, 15_000, 6_000), 24574753,
            ("Aquinas", "Confucius", "Hawthorne", "Plato", "Shakespeare", "Tolstoy"),
        ),
        DatasetSpec(
            "Isabella", (1, 64, 128), 4, (50_000, 10_000, 10_000), None,
            ("Baroque", "Classical", "Romantic", "20th Century"), buildable=False,
        ),
        DatasetSpec(
            "GeoClassing", (3, 64, 64), 10, (43_821, 8_758, 8_751), 24050256,
            ("Austria", "Belgium", "Finland", "Ireland", "Kosovo", "Lithuania", "Luxembourg",
             "Portugal", "Serbia", "Switzerland"),
            buildable=False,
        ),
        DatasetSpec(
            "Chesseract", (12, 8, 8), 3, (49_998, 10_001, 10_001), 24118743,
            ("white wins", "draw", "black wins"),
        ),
    )
}

NAMES = tuple(spec.name for spec in SPECS.values())


def get_spec(name: str) -> DatasetSpec:
    """The spec for `name` (any capitalisation); the error lists the valid names."""
    spec = SPECS.get(str(name).lower())
    if spec is None:
        raise KeyError(f"unknown Unseen NAS dataset name={name!r}; valid: {', '.join(NAMES)}")
    return spec
