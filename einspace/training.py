"""Training einspace architectures through the shared engine, with einspace's protocol.

The candidate protocol (paper, Unseen NAS): SGD momentum 0.9, lr 0.04, weight decay 3e-4,
cosine schedule over the epochs, batch 256, 8 epochs; fitness = validation accuracy after the
last epoch.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import jax
from flax import nnx

from einspace.compiler.build import as_tree, build_model, count_params
from einspace.tree.node import Node
from einspace.tree.text import canonical_hash, to_text
from jitloop import FitResult, OptimizerConfig, Splits, TrainConfig, fit
from jitloop.rundir import write_json

# A small convolutional network in the grammar: conv3x3(32) -> BN -> ReLU, twice, the second strided.
DEFAULT_ARCH = (
    "sequential(sequential(routing(im2col(3, 1, 1), linear(32), col2im), sequential(norm, leakyrelu)), "
    "sequential(routing(im2col(3, 2, 1), linear(64), col2im), sequential(norm, leakyrelu)))"
)


def default_unroll_steps() -> int:
    """Steps per call of the training program on this backend (jitloop.TrainConfig.unroll_steps).

    On CPU: 1. XLA:CPU runs convolutions inside a loop slowly (so no scanned epoch), and the
    compile time of an unrolled program grows with its steps (digits candidates, 8 epochs, mean
    compile s per candidate on 2 cores: scanned epoch 0.92, 1 step per call 0.57, 2 steps 1.23,
    4 steps 1.92, 8 steps 2.60; training 0.14-0.19 s in every case: a call costs microseconds).
    Elsewhere 0: one scanned epoch per call.
    """
    return 1 if jax.default_backend() == "cpu" else 0


# Training FLOPs (3 x forward FLOPs per example x examples x epochs) below which a CPU candidate
# compiles in the "fast" mode. 48 digits candidates (random samples and a search's children), 8
# epochs, 2 cores, wall s fast vs default: below 1e9 FLOPs fast won 26 of 27 (0.3-0.9 s vs
# 0.5-1.5 s: compiling dominates), 1e9-1e10 fast won 9 of 14 by little, above 1e10 default won
# 7 of 7 (unoptimised steps cost more than the compile saves); fitness equal in every case.
# Totals over the 48: all default 67.5 s, all fast 63.4 s, threshold 1e9 58.5 s, 1e10 59.2 s.
# The README's search (40 trials) took 2m09s at 1e9 and 2m42s at 1e10: its later children, in
# 1e9-1e10, were memory-bound (permutes, im2col) and trained 5-8 s unoptimised.
FAST_COMPILE_MAX_TRAIN_FLOPS = 1e9


def candidate_compile_mode(train_flops: float) -> str:
    """A candidate's compile mode on this backend (jitloop.TrainConfig.compile_mode): on CPU
    "fast" for candidates whose training costs under FAST_COMPILE_MAX_TRAIN_FLOPS, where
    compiling dominates, else "default"; "default" on accelerators."""
    fast = jax.default_backend() == "cpu" and train_flops < FAST_COMPILE_MAX_TRAIN_FLOPS
    return "fast" if fast else "default"


def protocol_config(epochs: int = 8, batch_size: int = 256, seed: int = 0, **optimizer: Any) -> TrainConfig:
    """einspace's candidate-training protocol; optimizer overrides any OptimizerConfig field."""
    return TrainConfig(epochs=epochs, batch_size=batch_size, seed=seed, unroll_steps=default_unroll_steps(),
                       optimizer=dataclasses.replace(OptimizerConfig(), **optimizer))


def resolve_architecture(arch: str | Node) -> Node:
    """A derivation tree from a Node, bracket text, or a file holding bracket text."""
    if isinstance(arch, Node):
        return arch
    path = Path(arch)
    if "(" not in arch and path.is_file():
        arch = path.read_text().strip()
    return as_tree(arch)


def train_architecture(
    arch: str | Node,
    splits: Splits,
    config: TrainConfig | None = None,
    *,
    model_seed: int = 0,
    workdir: str | Path | None = None,
    progress: bool | None = None,
    callbacks=(),
    col_reduce: str = "features",
) -> tuple[FitResult, dict[str, Any]]:
    """Compile `arch` for the dataset's input shape and train it with `fit`.

    col_reduce: the head of a Col-mode output (einspace.compiler.build_model).

    Returns the FitResult and a description of the architecture (text, hash, parameters; written
    to workdir/architecture.json) plus init_s: seconds spent constructing the model (host draws,
    einspace.grammar.init: no per-shape XLA programs).
    """
    config = config or protocol_config()
    tree = resolve_architecture(arch)
    if splits.num_classes is None:
        raise ValueError("train_architecture needs a classification dataset: Splits.num_classes is None")
    t0 = time.perf_counter()
    rngs = nnx.Rngs(model_seed)
    model = build_model(tree, splits.input_shape, splits.num_classes, rngs=rngs, col_reduce=col_reduce)
    jax.block_until_ready(nnx.state(model))
    info = {"architecture": to_text(tree), "hash": canonical_hash(tree), "params": count_params(model),
            "input_shape": list(splits.input_shape), "num_classes": splits.num_classes, "model_seed": model_seed}
    init_s = time.perf_counter() - t0
    if workdir is not None:
        write_json(Path(workdir) / "architecture.json", info)
    result = fit(model, splits, config, workdir=workdir, progress=progress, callbacks=callbacks,
                 run_info={"architecture_hash": info["hash"], "model_seed": model_seed})
    return result, {**info, "init_s": init_s}
