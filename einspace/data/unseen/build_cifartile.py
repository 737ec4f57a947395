"""CIFARTile: how many distinct classes are in a 2 x 2 tile of CIFAR-10 images; FashionTile,
its labelled offline substitute from Fashion-MNIST.

Rule (Geada et al. 2024, Sec. 3): a 64 x 64 tile of four 32 x 32 images; the number n of
distinct classes is uniform in {1, 2, 3, 4} and label = n - 1 (n=1: four images of one class;
n=2: two and two; n=3: two, one, one; n=4: one each), positions shuffled. Each image is
normalised with CIFAR-10's channel mean/std; training tiles have a random crop (zero padding
4) and a random horizontal flip baked in per image. Train/valid images come from the CIFAR
train batches, test images from the test batch; the four images of a tile are distinct.

FashionTile: the same rule on Fashion-MNIST (Debian dataset-fashion-mnist), each 28 x 28
image zero-padded to 32 x 32 and repeated over 3 channels, normalised with Fashion-MNIST's
mean/std. It is a substitute: never report it as CIFARTile.
"""

from __future__ import annotations

import numpy as np

from einspace.data.unseen.build_common import BuildConfig, Built, balanced_labels, kind_and_label, split_counts
from einspace.data.unseen.metadata import Provenance
from einspace.data.unseen.sources import ImagePools
from einspace.data.unseen.specs import get_spec

CIFAR_MEAN = np.array([0.4914, 0.4822, 0.4465], np.float32)
CIFAR_STD = np.array([0.2470, 0.2435, 0.2616], np.float32)
FASHION_MEAN = np.full(3, 0.2860, np.float32)
FASHION_STD = np.full(3, 0.3530, np.float32)
CROP_PAD = 4


PATTERNS = np.array([[0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 2], [0, 1, 2, 3]])  # by label n-1
CHUNK = 4096  # tiles assembled at once (bounds the float temporaries)


def tile_classes(labels: np.ndarray, rng: np.random.Generator, num_source_classes: int = 10) -> np.ndarray:
    """Source classes (N, 4) for tile labels (N,): label + 1 distinct classes in the pattern of
    that label, positions shuffled."""
    distinct = rng.permuted(np.tile(np.arange(num_source_classes), (labels.size, 1)), axis=1)[:, :4]
    classes = np.take_along_axis(distinct, PATTERNS[labels], axis=1)
    return rng.permuted(classes, axis=1)


def pick_images(classes: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pool indices (N, 4), uniform within each slot's class, distinct within a tile."""
    order = np.argsort(labels, kind="stable")
    sizes = np.bincount(labels, minlength=10)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = rng.integers(0, sizes[classes])
    while True:  # redraw a slot that repeats an earlier slot's image
        clash = np.zeros(classes.shape, bool)
        for i in range(4):
            for j in range(i + 1, 4):
                clash[:, j] |= (classes[:, i] == classes[:, j]) & (pos[:, i] == pos[:, j])
        if not clash.any():
            return order[starts[classes] + pos]
        pos[clash] = rng.integers(0, sizes[classes[clash]])


def crop_flip(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per image: random 32 x 32 crop of the zero-padded (pad 4) image, then a coin-flip
    mirror. (M, 32, 32, C) uint8 -> same shape."""
    m, h, w = images.shape[:3]
    padded = np.pad(images, ((0, 0), (CROP_PAD, CROP_PAD), (CROP_PAD, CROP_PAD), (0, 0)))
    dy, dx = rng.integers(0, 2 * CROP_PAD + 1, size=(2, m))
    rows = dy[:, None] + np.arange(h)
    cols = dx[:, None] + np.arange(w)
    cols = np.where((rng.random(m) < 0.5)[:, None], cols[:, ::-1], cols)
    return padded[np.arange(m)[:, None, None], rows[:, :, None], cols[:, None, :]]


def assemble(images: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """uint8 (N, 4, 32, 32, 3) -> normalised (N, 3, 64, 64) float32 tiles (row-major 2 x 2)."""
    x = (images.astype(np.float32) / 255.0 - mean) / std
    top = np.concatenate([x[:, 0], x[:, 1]], axis=2)
    bottom = np.concatenate([x[:, 2], x[:, 3]], axis=2)
    return np.concatenate([top, bottom], axis=1).transpose(0, 3, 1, 2).astype(np.float32)


def quadrants(tile: np.ndarray) -> list[np.ndarray]:
    """(3, 64, 64) tile -> its four (3, 32, 32) images in assembly order."""
    return [tile[:, r : r + 32, c : c + 32] for r in (0, 32) for c in (0, 32)]


def as_rgb32(pools: ImagePools) -> ImagePools:
    """Grayscale 28 x 28 pools -> (N, 32, 32, 3) by zero padding 2 and repeating the channel."""
    def convert(images):
        padded = np.pad(images, ((0, 0), (2, 2), (2, 2)))
        return np.repeat(padded[..., None], 3, axis=-1)

    return ImagePools(
        convert(pools.train_images), pools.train_labels, convert(pools.test_images),
        pools.test_labels, name=pools.name, variant=pools.variant,
    )


def build_tiles(
    pools: ImagePools,
    config: BuildConfig = BuildConfig(),
    mean: np.ndarray = CIFAR_MEAN,
    std: np.ndarray = CIFAR_STD,
    kind: str = "faithful",
    variant: str = "",
) -> Built:
    """Build tiles from (N, 32, 32, 3) uint8 pools with 10 source classes."""
    spec = get_spec("cifartile")
    if pools.train_images.shape[1:] != (32, 32, 3):
        raise ValueError(f"tile pools must be (N, 32, 32, 3); got {pools.train_images.shape}")
    rng = np.random.default_rng(config.seed)
    counts = split_counts("cifartile", config.per_class)
    arrays = {}
    for split in ("train", "valid", "test"):
        images, labels = (
            (pools.test_images, pools.test_labels) if split == "test"
            else (pools.train_images, pools.train_labels)
        )
        sizes = np.bincount(labels, minlength=10)
        if sizes.min() < 4:
            raise ValueError(f"{split} pool needs >= 4 images of each of 10 classes; found {sizes.tolist()}")
        y = balanced_labels(spec.num_classes, counts[split], rng)
        x = np.empty((y.size, *spec.shape), np.float32)
        for start in range(0, y.size, CHUNK):
            part = y[start : start + CHUNK]
            chosen = images[pick_images(tile_classes(part, rng), labels, rng)]  # (n, 4, 32, 32, 3)
            if split == "train":
                chosen = crop_flip(chosen.reshape(-1, 32, 32, 3), rng).reshape(chosen.shape)
            x[start : start + part.size] = assemble(chosen, mean, std)
        arrays[f"{split}_x"], arrays[f"{split}_y"] = x, y
    kind, label = kind_and_label(variant, config.per_class, kind)
    provenance = Provenance(
        kind=kind,
        variant=label,
        rule=(
            "CIFARTile: 2x2 tile of 32x32 images; n distinct classes uniform in 1..4, label = n-1 "
            "(patterns 4 / 2+2 / 2+1+1 / 1+1+1+1, positions shuffled, distinct images); "
            "per-image channel normalisation; train tiles: random crop (pad 4) + flip per image"
        ),
        source=pools.name,
        seed=config.seed,
        class_names=spec.class_names,
        notes="substitute source: not CIFAR-10" if kind == "substitute" else "",
    )
    return Built(arrays, provenance)


def build_cifartile(pools: ImagePools, config: BuildConfig = BuildConfig()) -> Built:
    """CIFARTile from CIFAR-10 pools (sources.cifar10_pools)."""
    return build_tiles(pools, config)


def build_fashiontile(pools: ImagePools, config: BuildConfig = BuildConfig()) -> Built:
    """FashionTile, the labelled substitute, from Fashion-MNIST idx pools (28 x 28 gray)."""
    return build_tiles(
        as_rgb32(pools), config, FASHION_MEAN, FASHION_STD, kind="substitute", variant="FashionTile"
    )
