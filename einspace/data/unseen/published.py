"""Published Unseen NAS results (top-1 test accuracy, %), to print beside our own.

- EINSPACE: Ericsson et al., "einspace", NeurIPS 2024, Table 1 (RN18 is their ResNet18
  retrained with their protocol; RE(...) are regularised-evolution searches in einspace).
- BASELINES, NAS_METHODS: Geada et al., "Insights from the Use of Previously Unseen Neural
  Architecture Search Datasets", CVPR 2024 (off-the-shelf CNNs; NAS methods and random search
  in the DARTS and Bonsai spaces). An earlier release lists the ResNet-18 Language and
  Gutenberg baselines as 87.00 and 40.98.
Numbers are on the paper's datasets only: a result on a variant or substitute is not
comparable to them (see einspace.data.unseen.metadata.Provenance).
"""

from __future__ import annotations

from einspace.data.unseen.specs import NAMES

def _table(columns: tuple[str, ...], rows: tuple[tuple[float, ...], ...]) -> dict[str, dict[str, float]]:
    """{method: {dataset: accuracy}} from one row per dataset in NAMES order (the papers' order)
    and one column per method."""
    return {col: {name: row[i] for name, row in zip(NAMES, rows, strict=True)} for i, col in enumerate(columns)}


EINSPACE = _table(
    ("RN18", "RE(Scratch)", "RE(RN18)", "RE(Mix)", "RS einspace", "random sampling"),
    (
        (93.36, 93.82, 97.54, 97.72, 67.00, 10.13),
        (92.16, 92.43, 96.84, 97.92, 87.01, 35.26),
        (91.36, 93.44, 96.37, 92.25, 66.09, 18.87),
        (47.13, 58.31, 60.65, 62.76, 30.90, 25.25),
        (43.32, 43.70, 54.02, 50.16, 39.58, 19.69),
        (63.65, 59.79, 64.30, 62.72, 56.90, 32.24),
        (90.08, 92.33, 95.31, 95.13, 69.13, 24.35),
        (59.35, 63.92, 60.31, 61.86, 61.46, 44.83),
    ),
)

BASELINES = _table(
    ("ResNet-18", "AlexNet", "VGG16", "ConvNext", "MNASNet", "DenseNet", "ResNeXt"),
    (
        (92.08, 94.87, 92.06, 38.06, 90.51, 93.52, 91.42),
        (97.00, 85.71, 84.54, 83.40, 84.63, 84.57, 93.97),
        (91.55, 94.01, 90.43, 64.20, 87.70, 92.81, 90.57),
        (45.56, 48.88, 24.43, 31.06, 48.49, 51.28, 46.23),
        (49.98, 45.53, 44.00, 31.93, 38.00, 43.28, 40.30),
        (62.02, 61.37, 58.13, 57.18, 60.69, 63.27, 60.46),
        (80.33, 92.49, 93.67, 72.76, 86.00, 94.21, 89.99),
        (57.83, 57.45, 55.69, 52.74, 56.26, 59.60, 55.15),
    ),
)

NAS_METHODS = _table(
    ("PC-DARTS", "DrNAS", "Bonsai-Net", "Random (DARTS space)", "Random (Bonsai space)"),
    (
        (96.60, 97.06, 97.91, 97.07, 34.17),
        (90.12, 88.55, 87.65, 90.12, 76.83),
        (96.68, 98.10, 97.17, 96.55, 39.76),
        (92.28, 81.08, 91.47, 90.74, 24.76),
        (49.12, 46.62, 48.57, 47.72, 29.00),
        (65.77, 64.53, 64.08, 66.35, 58.53),
        (94.61, 96.03, 95.66, 95.54, 63.56),
        (57.20, 58.24, 60.76, 59.16, 68.83),
    ),
)

#: Search cost per dataset as published (GPU-hours, one GPU).
SEARCH_COST_GPU_HOURS = {"RE(Mix)": (32, 80), "DrNAS": (9, 59), "PC-DARTS": (2, 30)}

#: Every published column by its source, in the order the benchmark table prints them.
SOURCES = {"einspace (NeurIPS 2024)": EINSPACE, "Geada et al. (CVPR 2024) baselines": BASELINES,
           "Geada et al. (CVPR 2024) NAS": NAS_METHODS}

def published(method: str, dataset: str) -> float:
    """Published test accuracy (%) of `method` on the paper's `dataset` (any capitalisation)."""
    for table in SOURCES.values():
        if method in table:
            column = table[method]
            match = {k.lower(): v for k, v in column.items()}.get(str(dataset).lower())
            if match is None:
                raise KeyError(f"dataset={dataset!r} is not an Unseen NAS dataset; valid: {', '.join(NAMES)}")
            return match
    methods = [m for table in SOURCES.values() for m in table]
    raise KeyError(f"method={method!r} has no published numbers; valid: {methods}")


def average(table: dict[str, dict[str, float]], method: str) -> float:
    """Mean over the eight datasets (einspace's 'average' row)."""
    return sum(table[method].values()) / len(table[method])
