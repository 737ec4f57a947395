"""One-call summaries of architectures, used by the CLI, the benchmark and the notebook."""

from __future__ import annotations

import time

import numpy as np

from einspace.compiler.build import head_params
from einspace.compiler.check import check_architecture
from einspace.grammar.grammar import Grammar
from einspace.sampler.limits import Limits
from einspace.sampler.sampler import sample
from einspace.tree.infer import infer
from einspace.tree.node import Node
from einspace.tree.stats import tree_stats
from einspace.tree.text import canonical_hash, to_text


def describe(tree: Node, input_shape: tuple[int, ...], num_classes: int = 10) -> dict:
    """Text, hash, output feature, params (backbone + head), FLOPs and tree statistics."""
    a = infer(tree, input_shape)
    s = tree_stats(tree)
    return {
        "architecture": to_text(tree), "hash": canonical_hash(tree),
        "input": str(a.input), "output": str(a.output),
        "params": a.params + head_params(a, num_classes), "backbone_params": a.params,
        "flops": a.flops, "activation_bytes": a.activation_bytes,
        **{k: v for k, v in s.as_dict().items() if k not in ("params", "flops", "activation_bytes")},
    }


def sample_many(grammar: Grammar, input_shape: tuple[int, ...], num: int, seed: int,
                limits: Limits | None = None, check: bool = False, num_classes: int = 10) -> dict:
    """`num` samples from one Generator(seed): per-sample descriptions (and compile-and-run
    checks when `check`), plus samples/s and the valid fraction."""
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    trees = [sample(grammar, input_shape, rng, limits) for _ in range(num)]
    seconds = time.perf_counter() - t0
    items = [describe(t, input_shape, num_classes) for t in trees]
    summary = {"num": num, "seed": seed, "p_computation": grammar.p_computation,
               "input_shape": list(input_shape), "sampling_s": seconds,
               "samples_per_s": num / seconds if seconds > 0 else float("inf")}
    if check:
        for item, tree in zip(items, trees):
            item["check"] = check_architecture(tree, input_shape, num_classes)
        summary["valid_fraction"] = float(np.mean([i["check"]["ok"] for i in items])) if items else 1.0
    return {"summary": summary, "samples": items}
