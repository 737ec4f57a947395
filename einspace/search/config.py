"""The search configuration: one frozen, typed dataclass holding every number of a search.

Defaults are the paper's (population 100, tournament 10, SGD 0.9 / lr 0.04 / wd 3e-4, cosine,
batch 256, 8 epochs, 64 retrain epochs); the CLI overrides them for small embedded datasets.
`config.json` of a run directory holds `to_dict()`; resuming compares it field by field.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from einspace.compiler.modules import HEAD_REDUCTIONS
from jitloop.config import COMPILE_MODE_NAMES
from jitloop.rundir import config_diff

STRATEGIES = ("rs", "re", "re-seeded")
EXECUTORS = ("serial", "thread", "process", "ray")
OBJECTIVES = ("train", "synthetic")
SEED_ALIASES = {"mixer": "mlp_mixer", "rn18": "resnet18", "wrn": "wrn16_4"}


def _check(ok: bool, field: str, value: Any, valid: str) -> None:
    if not ok:
        raise ValueError(f"SearchConfig.{field}={value!r} is not valid; {valid}")


@dataclasses.dataclass(frozen=True)
class SearchConfig:
    """Everything that determines a search's sequence of architectures and their scores.

    strategy: rs (random search: best of `budget` samples; its mean is the random-sampling
    baseline) | re (regularised evolution from random samples) | re-seeded (RE whose initial
    population is `seeds`: names of einspace.seeds or architecture texts).
    budget: trials (duplicates included: they cost no training). population / tournament:
    RE's P and tournament size (drawn with replacement). crossover_rate: fraction of children
    made by subtree crossover of two tournament winners instead of mutation.
    objective: "train" (validation accuracy through the engine) or "synthetic" (a cheap planted
    optimum, for testing strategies; see einspace.search.synthetic).
    epochs ... unroll_steps: the candidate protocol (jitloop TrainConfig fields); unroll_steps
    None = the backend's default (einspace.training.default_unroll_steps: 1 on CPU, where it
    compiles fastest, else a scanned epoch). compile_effort: XLA's exec_time_optimization_effort
    while a candidate is built and compiled, in [-1, 1] (0 = JAX's default); -1 compiled digits
    candidates' train programs ~40% faster on a 2-core CPU with unchanged step times.
    compile_mode: the candidates' jitloop compile mode ("default" | "fast"); None = chosen per
    candidate from its training FLOPs (einspace.training.candidate_compile_mode: "fast" for light
    candidates on CPU, where compiling dominates). The winner's retrain compiles with "default".
    col_reduce: the classification head of a Col-mode (B, S, D) output: "features" (mean over D,
    then Linear(S, K): the official einspace head) or "tokens" (mean over S, then Linear(D, K), a
    ViT's head; the ViT seed on digits: 0.93 valid accuracy after 4 epochs vs 0.17 "features").
    max_*: resource limits of sampled/mutated architectures (max_flops per example is a
    search-level filter: proposals above it are redrawn; so is max_ops, the number of leaf ops
    once repeated branches are expanded, which is what compile time grows with).
    timeout_s: per-candidate wall-clock limit, checked after each epoch (the candidate keeps its
    last finished epoch's score); the process and Ray executors also kill a candidate still
    running at twice the limit, with its worker (a compile or an epoch that never ends).
    halving_rungs: epochs at which successive halving may stop a candidate (empty = off);
    halving_keep: the fraction of earlier candidates' rung scores a candidate must reach.
    retrain_epochs: epochs of the winner's final training on train+valid.
    synthetic_delay_s: seconds each synthetic evaluation sleeps (to exercise interruption and
    parallel executors without training).
    """

    dataset: str = "digits"
    strategy: str = "re"
    budget: int = 1000
    seed: int = 0
    population: int = 100
    tournament: int = 10
    crossover_rate: float = 0.0
    seeds: tuple[str, ...] = ()
    objective: str = "train"
    p_computation: float = 0.32
    epochs: int = 8
    batch_size: int = 256
    learning_rate: float = 0.04
    momentum: float = 0.9
    weight_decay: float = 3e-4
    unroll_steps: int | None = None
    compile_effort: float = -1.0
    compile_mode: str | None = None
    col_reduce: str = "features"
    max_depth: int = 32
    max_nodes: int = 256
    max_params: int = 10_000_000
    max_activation_bytes: int = 256 * 2**20
    max_flops: int = 0
    max_ops: int = 0
    timeout_s: float = 0.0
    halving_rungs: tuple[int, ...] = ()
    halving_keep: float = 0.5
    retrain_epochs: int = 64
    executor: str = "serial"
    workers: int = 1
    synthetic_delay_s: float = 0.0

    def validate(self) -> "SearchConfig":
        _check(self.strategy in STRATEGIES, "strategy", self.strategy, f"choose one of {STRATEGIES}")
        _check(self.executor in EXECUTORS, "executor", self.executor, f"choose one of {EXECUTORS}")
        _check(self.objective in OBJECTIVES, "objective", self.objective, f"choose one of {OBJECTIVES}")
        for field in ("budget", "population", "tournament", "epochs", "batch_size", "workers",
                      "max_depth", "max_nodes", "max_params", "max_activation_bytes", "retrain_epochs"):
            _check(getattr(self, field) >= 1, field, getattr(self, field), "it must be >= 1")
        for field in ("max_flops", "max_ops", "timeout_s", "synthetic_delay_s"):
            _check(getattr(self, field) >= 0, field, getattr(self, field), "it must be >= 0 (0 = off)")
        _check(-1.0 <= self.compile_effort <= 1.0, "compile_effort", self.compile_effort, "it must be in [-1, 1]")
        _check(self.compile_mode in (None, *COMPILE_MODE_NAMES), "compile_mode", self.compile_mode,
               f"give None (chosen per candidate) or one of {COMPILE_MODE_NAMES}")
        _check(self.col_reduce in HEAD_REDUCTIONS, "col_reduce", self.col_reduce, f"choose one of {HEAD_REDUCTIONS}")
        _check(self.unroll_steps is None or self.unroll_steps >= 0, "unroll_steps", self.unroll_steps,
               "give None (the backend's default), 0 (a scanned epoch) or k >= 1 steps per call")
        _check(0.0 <= self.crossover_rate <= 1.0, "crossover_rate", self.crossover_rate, "it must be in [0, 1]")
        _check(0.0 < self.halving_keep < 1.0, "halving_keep", self.halving_keep, "it must be in (0, 1)")
        _check(0.0 < self.p_computation < 1.0, "p_computation", self.p_computation, "it must be in (0, 1)")
        _check(all(0 < r < self.epochs for r in self.halving_rungs) and list(self.halving_rungs) == sorted(set(self.halving_rungs)),
               "halving_rungs", self.halving_rungs, f"give increasing epochs in [1, {self.epochs - 1}]")
        _check(self.strategy != "re-seeded" or bool(self.seeds), "seeds", self.seeds,
               "strategy 're-seeded' needs at least one seed (e.g. resnet18,wrn16_4,vit,mixer)")
        return self

    def resolved_seeds(self) -> tuple[str, ...]:
        """Seed names with aliases resolved (mixer -> mlp_mixer); texts are kept as they are."""
        return tuple(SEED_ALIASES.get(s, s) for s in self.seeds)

    def to_dict(self) -> dict[str, Any]:
        return json_ready(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SearchConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"SearchConfig has no field(s) {unknown}; valid fields are {sorted(known)}")
        data = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**data)


def json_ready(d: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


# Defaults for the small embedded datasets (1 x 8 x 8 digits, 1 x 28 x 28 mnist5k) on a few CPU
# cores: a small population and budget, the batch scaled to ~1,300 training images, and limits
# that keep every candidate to seconds of compile and training.
EMBEDDED_PRESET = dict(budget=40, population=10, tournament=3, batch_size=64, max_params=100_000, max_nodes=32,
                       max_activation_bytes=2**18, max_flops=2_000_000, max_ops=64, timeout_s=30.0,
                       retrain_epochs=32)
# Seeds on the embedded datasets: every linear width times 1/8 (ResNet18's 64..512 channels become
# 8..64), so a seeded search trains its seeds in seconds on a CPU. At full width they are
# 2.7M-11M parameters and 31-69 MFLOPs per 1x8x8 digit, far over the preset's limits.
EMBEDDED_SEED_WIDTH = 0.125
EMBEDDED_INPUT_SHAPES = {"digits": (1, 8, 8), "mnist5k": (1, 28, 28)}  # checked against the data by a test


def preset_config(dataset: str, **overrides: Any) -> SearchConfig:
    """The paper's defaults, or EMBEDDED_PRESET for an embedded dataset, with `overrides` applied.

    A seeded search (strategy re-seeded) on an embedded dataset gets its named seeds as the
    texts of the seeds at EMBEDDED_SEED_WIDTH (`seed_width` overrides it), and every limit not
    given in `overrides` raised where needed to admit them with room for their mutants
    (einspace.search.space.seed_limits); otherwise the seeds would be over the limits and every
    mutant of them rejected.
    """
    from einspace.data import EMBEDDED

    seed_width = overrides.pop("seed_width", EMBEDDED_SEED_WIDTH)
    base = dict(EMBEDDED_PRESET) if dataset in EMBEDDED else {}
    config = SearchConfig(dataset=dataset, **{**base, **overrides})
    if dataset not in EMBEDDED or config.strategy != "re-seeded" or not config.seeds:
        return config
    return _narrow_seeds(config, seed_width, set(overrides))


def _narrow_seeds(config: SearchConfig, width: float, given: set[str]) -> SearchConfig:
    from einspace.search.space import seed_at_width, seed_limits
    from einspace.tree import parse, to_text

    shape = EMBEDDED_INPUT_SHAPES[config.dataset]
    trees = [parse(s) if "(" in s else seed_at_width(s, shape, width) for s in config.resolved_seeds()]
    need = seed_limits(trees, shape)
    limits = {k: max(getattr(config, k), v) for k, v in need.items() if k not in given and getattr(config, k)}
    return dataclasses.replace(config, seeds=tuple(to_text(t) for t in trees), **limits)


# Fields that may change between a run and its resume without changing any result
# (compile_effort and compile_mode change how XLA optimises, not what it computes: 48 digits
# candidates scored the same in both compile modes).
RESUMABLE_FIELDS = ("budget", "executor", "workers", "retrain_epochs", "synthetic_delay_s", "compile_effort",
                    "compile_mode")


def config_differences(saved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """'field: saved vs now' for every field that differs and would change the search."""
    return config_diff(saved, now, ignore=RESUMABLE_FIELDS)
