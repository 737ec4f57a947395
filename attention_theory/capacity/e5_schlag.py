"""E5: the synthetic retrieval task of Schlag, Irie, Schmidhuber 2021 ("Linear Transformers Are
Secretly Fast Weight Programmers", section 6.1), trained end to end with jitloop.fit.

S unique keys with fixed random N(0, 1) embeddings (d_emb) are projected by learned W_q, W_k to
d_key and mapped by a feature map phi; values are one-hot vectors of size S written as given.
- setting 1 (capacity): every key once, in random order, each with a random value; T = S + 1.
- setting 2 (replacement): 2S writes of keys drawn with replacement; the target is the LAST
  value written to the queried key; T = 2S + 1.
The last token is the query (a key with no value); the prediction is the memory's read-out
there; loss 0.5 ||y - y_hat||^2 (an all-zero prediction scores 0.5). Adam, lr 1e-3, batch 32.
Reported: the best validation loss per (memory, S), tabulated like the reference (feature maps
x number of stored keys). The knee -- where the loss leaves ~0 -- should move right as the
feature size d_dot grows (elu+1: d_key; DPFP: 2 d_key nu).

Command: attention-theory capacity e5 --setting 1 --num-keys 8,16,32,48 --steps 600 --out runs/e5
"""

from __future__ import annotations

import dataclasses
import time

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from attention_theory.capacity.report import Report
from attention_theory.linear_attention.mixer import CausalMixer, FixedArray
from attention_theory.memory.feature_maps import feature_size


def half_squared_error(pred: jax.Array, target: jax.Array) -> jax.Array:
    """Schlag et al.'s loss 0.5 ||y - y_hat||^2 per example: (B, S) -> (B,)."""
    return 0.5 * jnp.sum((pred - target) ** 2, axis=-1)


def _register() -> None:
    from jitloop.losses import LOSSES, register_loss

    if "half_sq_error" not in LOSSES:
        register_loss("half_sq_error", half_squared_error)


@dataclasses.dataclass(frozen=True)
class MemorySpec:
    """One row of the table: mixer kind ("linear", "delta", "softmax") and its feature map."""

    kind: str = "linear"
    feature_map: str = "elu_plus_one"
    nu: int = 1
    num_features: int = 64

    def label(self) -> str:
        if self.kind == "softmax":
            return "softmax"
        fm = f"dpfp{self.nu}" if self.feature_map == "dpfp" else self.feature_map
        return f"{self.kind}:{fm}"


DEFAULT_MEMORIES = (
    MemorySpec("linear", "elu_plus_one"),
    MemorySpec("linear", "dpfp", 1),
    MemorySpec("linear", "dpfp", 2),
    MemorySpec("linear", "dpfp", 3),
    MemorySpec("linear", "favor_plus", num_features=16),
    MemorySpec("softmax", "identity"),
)


def make_dataset(rng: np.random.Generator, num_keys: int, examples: int, setting: int) -> tuple[np.ndarray, np.ndarray]:
    """x (examples, T, 2) float: (key id, value id or -1 for the query); y (examples, S) one-hot."""
    s = num_keys
    if setting == 1:
        keys = np.argsort(rng.random((examples, s)), axis=1)
    elif setting == 2:
        keys = rng.integers(0, s, (examples, 2 * s))
    else:
        raise ValueError(f"E5 setting={setting} is unknown; valid settings: 1 (capacity), 2 (replacement)")
    values = rng.integers(0, s, keys.shape)
    t = keys.shape[1]
    pick = rng.integers(0, t, examples)
    query = keys[np.arange(examples), pick]
    # last write of the queried key (setting 1: its only write)
    hits = keys == query[:, None]
    last = t - 1 - np.argmax(hits[:, ::-1], axis=1)
    target = values[np.arange(examples), last]
    x = np.stack([np.concatenate([keys, query[:, None]], 1), np.concatenate([values, -np.ones((examples, 1), int)], 1)], -1)
    return x.astype(np.float32), np.eye(s, dtype=np.float32)[target]


class SchlagModel(nnx.Module):
    """Fixed random key embeddings -> one CausalMixer whose values are the given one-hots."""

    def __init__(self, num_keys: int, spec: MemorySpec, d_emb: int = 32, d_key: int = 16, *, rngs: nnx.Rngs):
        self.num_keys = num_keys
        self.embeddings = FixedArray(jax.random.normal(rngs.params(), (num_keys, d_emb)))
        self.mixer = CausalMixer(d_emb + 1, d_key, num_keys, spec.kind, feature_map=spec.feature_map, nu=spec.nu,
                                 num_features=spec.num_features, project_values=False, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        """x (B, T, 2) -> prediction for the final (query) token, (B, S)."""
        keys = x[..., 0].astype(jnp.int32)
        vals = x[..., 1].astype(jnp.int32)
        is_query = (vals < 0).astype(jnp.float32)[..., None]
        inp = jnp.concatenate([self.embeddings[...][keys], is_query], axis=-1)
        onehot = jax.nn.one_hot(jnp.maximum(vals, 0), self.num_keys) * (1.0 - is_query)
        return self.mixer(inp, onehot)[:, -1, :]


@dataclasses.dataclass(frozen=True)
class E5Config:
    setting: int = 1
    num_keys: tuple[int, ...] = (8, 16, 24, 32, 48, 64)
    memories: tuple[MemorySpec, ...] = DEFAULT_MEMORIES
    d_emb: int = 32
    d_key: int = 16
    steps: int = 1500
    epochs: int = 5
    batch_size: int = 32
    learning_rate: float = 1e-3
    train_examples: int = 20000
    valid_examples: int = 1000
    seed: int = 0

    def __post_init__(self):
        if self.setting not in (1, 2):
            raise ValueError(f"E5Config.setting={self.setting} is unknown; valid: 1, 2")
        if self.steps < self.epochs:
            raise ValueError(f"E5Config.steps={self.steps} must be >= epochs={self.epochs}")


def train_one(cfg: E5Config, spec: MemorySpec, num_keys: int) -> dict:
    """Train one memory on one S through jitloop.fit; returns the row for the table."""
    from jitloop import OptimizerConfig, Split, Splits, TrainConfig, fit

    _register()
    rng = np.random.default_rng([cfg.seed, num_keys, cfg.setting])
    xt, yt = make_dataset(rng, num_keys, cfg.train_examples, cfg.setting)
    xv, yv = make_dataset(rng, num_keys, cfg.valid_examples, cfg.setting)
    splits = Splits(train=Split(jnp.asarray(xt), jnp.asarray(yt)), valid=Split(jnp.asarray(xv), jnp.asarray(yv)),
                    name=f"schlag_setting{cfg.setting}_S{num_keys}")
    model = SchlagModel(num_keys, spec, cfg.d_emb, cfg.d_key, rngs=nnx.Rngs(cfg.seed))
    train_cfg = TrainConfig(
        epochs=cfg.epochs, steps_per_epoch=max(1, cfg.steps // cfg.epochs), batch_size=cfg.batch_size,
        eval_batch_size=cfg.valid_examples, loss="half_sq_error", metrics=("half_sq_error",), seed=cfg.seed,
        optimizer=OptimizerConfig(name="adam", learning_rate=cfg.learning_rate, schedule="constant", weight_decay=0.0,
                                  grad_clip_norm=1.0),
    )
    result = fit(model, splits, train_cfg, progress=False)
    losses = [h["valid_half_sq_error"] for h in result.history if "valid_half_sq_error" in h]
    d_dot = cfg.d_key if spec.kind == "softmax" else feature_size(spec.feature_map, cfg.d_key, nu=spec.nu,
                                                                    num_features=spec.num_features)
    return {"memory": spec.label(), "d_dot": d_dot, "S": num_keys, "status": result.status,
            "best_valid_loss": float(min(losses)) if losses else float("nan"),
            "train_seconds": float(sum(v for k, v in result.timings.items()))}


def run_e5(cfg: E5Config = E5Config()) -> Report:
    start = time.perf_counter()
    rows = [train_one(cfg, spec, s) for spec in cfg.memories for s in cfg.num_keys]
    table = []
    for spec in cfg.memories:
        cells = {r["S"]: r["best_valid_loss"] for r in rows if r["memory"] == spec.label()}
        d_dot = next(r["d_dot"] for r in rows if r["memory"] == spec.label())
        table.append({"memory": spec.label(), "d_dot": d_dot, **{f"S={s}": cells[s] for s in cfg.num_keys}})
    knee = {}
    for spec in cfg.memories:
        ok = [r["S"] for r in rows if r["memory"] == spec.label() and r["best_valid_loss"] < 0.05]
        knee[spec.label()] = max(ok) if ok else None
    summary = {"table": table, "largest_S_with_loss_below_0.05": knee}
    config = dataclasses.asdict(cfg)
    return Report(f"e5_schlag_setting{cfg.setting}", config, rows, summary, time.perf_counter() - start)


def plot_e5(report: Report, fig) -> None:
    ax = fig.subplots(1, 1)
    for row in report.summary["table"]:
        s = [int(k[2:]) for k in row if k.startswith("S=")]
        ax.plot(s, [row[f"S={v}"] for v in s], "o-", label=f"{row['memory']} (d_dot={row['d_dot']})")
    ax.axhline(0.5, color="k", ls=":", lw=0.8, label="all-zero prediction")
    ax.set(xlabel="number of stored keys S", ylabel="best validation loss 0.5||y - y_hat||^2",
           title=f"E5: Schlag et al. setting {report.config['setting']}")
    ax.legend(fontsize=7)
