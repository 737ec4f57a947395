"""Optax transforms built from an OptimizerConfig, one object per hyperparameter setting.

The transform is a static argument of the jitted epoch, so handing out the *same* object for
equal settings is what lets identical architectures share one compiled program.
"""

from __future__ import annotations

import functools

import optax

from jitloop.config import OptimizerConfig


def make_schedule(config: OptimizerConfig, total_steps: int, steps_per_epoch: int) -> optax.Schedule:
    lr = config.learning_rate
    if config.schedule == "constant":
        return optax.constant_schedule(lr)
    if config.schedule == "cosine":
        return optax.cosine_decay_schedule(lr, decay_steps=max(total_steps, 1))
    if config.schedule == "warmup_cosine":
        return optax.warmup_cosine_decay_schedule(
            0.0, lr, warmup_steps=config.warmup_steps, decay_steps=max(total_steps, config.warmup_steps + 1)
        )
    if config.schedule == "warmup_constant":
        return optax.join_schedules(
            [optax.linear_schedule(0.0, lr, config.warmup_steps), optax.constant_schedule(lr)],
            [config.warmup_steps],
        )
    if config.schedule == "step":
        return optax.exponential_decay(
            lr, transition_steps=config.decay_epochs * steps_per_epoch, decay_rate=config.decay_rate, staircase=True
        )
    raise ValueError(f"OptimizerConfig.schedule={config.schedule!r} is not valid")


@functools.lru_cache(maxsize=256)
def make_optimizer(config: OptimizerConfig, total_steps: int, steps_per_epoch: int) -> optax.GradientTransformation:
    """The optax transform for `config` over a run of `total_steps`; cached per setting."""
    config.validate()
    schedule = make_schedule(config, total_steps, steps_per_epoch)
    if config.name == "sgd":
        # einspace's protocol: PyTorch-style coupled L2 weight decay added to the gradient.
        parts = [optax.add_decayed_weights(config.weight_decay)] if config.weight_decay else []
        parts.append(optax.sgd(schedule, momentum=config.momentum or None, nesterov=config.nesterov))
        tx = optax.chain(*parts)
    elif config.name == "adam":
        parts = [optax.add_decayed_weights(config.weight_decay)] if config.weight_decay else []
        parts.append(optax.adam(schedule, b1=config.b1, b2=config.b2))
        tx = optax.chain(*parts)
    else:
        tx = optax.adamw(schedule, b1=config.b1, b2=config.b2, weight_decay=config.weight_decay)
    if config.grad_clip_norm is not None:
        tx = optax.chain(optax.clip_by_global_norm(config.grad_clip_norm), tx)
    return tx
