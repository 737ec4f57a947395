"""E6: multi-query associative recall (MQAR, Arora et al. 2023 "Zoology"), small, trained with
jitloop.fit: softmax vs linear vs delta vs gated-delta attention as the model width grows.

Each sequence writes D (key, value) pairs -- one token per pair, keys distinct, from vocabularies
of num_keys and num_values symbols -- then queries every key once in random order. A one-head
model: learned key and value embeddings (d_model), one CausalMixer (d_key = d_value = d_model),
a linear read-out to the value vocabulary at the query positions. Pair tokens carry their value
embedding as the value to write; query tokens carry a query flag and write nothing useful (the
delta rules can learn beta ~ 0 there). Reported: best validation accuracy at the query
positions per (mixer, d_model), with the recurrent state size d_model^2 (softmax: the KV cache).
Softmax attention should solve it at every width; the recurrent memories need state ~ D.

Command: attention-theory capacity e6 --d-model 8,16,32 --pairs 16 --steps 1000 --out runs/e6
"""

from __future__ import annotations

import dataclasses
import time

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from attention_theory.capacity.report import Report
from attention_theory.linear_attention.mixer import MIXERS, CausalMixer


def make_mqar(rng: np.random.Generator, examples: int, pairs: int, num_keys: int, num_values: int):
    """x (examples, 2 * pairs, 2) float (key id, value id or -1); y (examples, pairs) int32 value ids:
    the engine's cross_entropy and accuracy score logits (B, pairs, num_values) per query position."""
    if pairs > num_keys:
        raise ValueError(f"MQAR pairs={pairs} needs num_keys >= pairs (distinct keys); got num_keys={num_keys}")
    keys = np.argsort(rng.random((examples, num_keys)), axis=1)[:, :pairs]
    values = rng.integers(0, num_values, (examples, pairs))
    order = np.argsort(rng.random((examples, pairs)), axis=1)
    rows = np.arange(examples)[:, None]
    q_keys, targets = keys[rows, order], values[rows, order]
    x = np.stack([np.concatenate([keys, q_keys], 1), np.concatenate([values, -np.ones_like(q_keys)], 1)], -1)
    return x.astype(np.float32), targets.astype(np.int32)


class MQARModel(nnx.Module):
    def __init__(self, num_keys: int, num_values: int, d_model: int, kind: str, feature_map: str, *, rngs: nnx.Rngs):
        self.key_emb = nnx.Embed(num_keys, d_model, rngs=rngs)
        self.value_emb = nnx.Embed(num_values, d_model, rngs=rngs)
        self.mixer = CausalMixer(d_model + 1, d_model, d_model, kind, feature_map=feature_map,
                                 project_values=False, chunk_size=32, rngs=rngs)
        self.out = nnx.Linear(d_model, num_values, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        """x (B, 2D, 2) -> logits at the D query positions (B, D, num_values)."""
        keys, vals = x[..., 0].astype(jnp.int32), x[..., 1].astype(jnp.int32)
        is_query = (vals < 0).astype(jnp.float32)[..., None]
        inp = jnp.concatenate([self.key_emb(keys), is_query], axis=-1)
        v = self.value_emb(jnp.maximum(vals, 0)) * (1.0 - is_query)
        o = self.mixer(inp, v)
        return self.out(o[:, x.shape[1] // 2 :, :])


@dataclasses.dataclass(frozen=True)
class E6Config:
    d_model: tuple[int, ...] = (8, 16, 32, 64)
    mixers: tuple[str, ...] = MIXERS
    linear_feature_map: str = "elu_plus_one"
    pairs: int = 16
    num_keys: int = 64
    num_values: int = 64
    steps: int = 1000
    epochs: int = 5
    batch_size: int = 64
    learning_rate: float = 3e-3
    train_examples: int = 20000
    valid_examples: int = 1000
    seed: int = 0

    def __post_init__(self):
        bad = [m for m in self.mixers if m not in MIXERS]
        if bad:
            raise ValueError(f"E6Config.mixers has unknown {bad}; valid: {MIXERS}")


def train_one(cfg: E6Config, kind: str, d_model: int) -> dict:
    from jitloop import OptimizerConfig, Split, Splits, TrainConfig, fit

    rng = np.random.default_rng([cfg.seed, cfg.pairs])
    xt, yt = make_mqar(rng, cfg.train_examples, cfg.pairs, cfg.num_keys, cfg.num_values)
    xv, yv = make_mqar(rng, cfg.valid_examples, cfg.pairs, cfg.num_keys, cfg.num_values)
    splits = Splits(train=Split(jnp.asarray(xt), jnp.asarray(yt)), valid=Split(jnp.asarray(xv), jnp.asarray(yv)),
                    name=f"mqar_D{cfg.pairs}", num_classes=cfg.num_values)
    fmap = "identity" if kind != "linear" else cfg.linear_feature_map
    model = MQARModel(cfg.num_keys, cfg.num_values, d_model, kind, fmap, rngs=nnx.Rngs(cfg.seed))
    train_cfg = TrainConfig(
        epochs=cfg.epochs, steps_per_epoch=max(1, cfg.steps // cfg.epochs), batch_size=cfg.batch_size,
        eval_batch_size=cfg.valid_examples, loss="cross_entropy", metrics=("accuracy",), seed=cfg.seed,
        optimizer=OptimizerConfig(name="adam", learning_rate=cfg.learning_rate, schedule="cosine", weight_decay=0.0,
                                  grad_clip_norm=1.0),
    )
    result = fit(model, splits, train_cfg, progress=False)
    accs = [h["valid_accuracy"] for h in result.history if "valid_accuracy" in h]
    state = 2 * cfg.pairs * 2 * d_model if kind == "softmax" else d_model * d_model
    return {"mixer": kind, "d_model": d_model, "state_size": state, "status": result.status,
            "best_valid_accuracy": float(max(accs)) if accs else float("nan")}


def run_e6(cfg: E6Config = E6Config()) -> Report:
    start = time.perf_counter()
    rows = [train_one(cfg, kind, d) for kind in cfg.mixers for d in cfg.d_model]
    summary = {m: {r["d_model"]: round(r["best_valid_accuracy"], 3) for r in rows if r["mixer"] == m} for m in cfg.mixers}
    return Report("e6_mqar", dataclasses.asdict(cfg), rows, summary, time.perf_counter() - start)


def plot_e6(report: Report, fig) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    for mixer in report.config["mixers"]:
        rows = [r for r in report.rows if r["mixer"] == mixer]
        ax1.plot([r["d_model"] for r in rows], [r["best_valid_accuracy"] for r in rows], "o-", label=mixer)
        ax2.plot([r["state_size"] for r in rows], [r["best_valid_accuracy"] for r in rows], "o-", label=mixer)
    ax1.set(xscale="log", xlabel="d_model", ylabel="MQAR accuracy", ylim=(-0.02, 1.02),
            title=f"E6: MQAR, {report.config['pairs']} pairs")
    ax2.set(xscale="log", xlabel="state size (floats)", ylabel="MQAR accuracy", ylim=(-0.02, 1.02), title="vs state size")
    ax1.legend(fontsize=8)
