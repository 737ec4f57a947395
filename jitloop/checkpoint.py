"""Orbax checkpoints of the training state, so long runs resume exactly.

A checkpoint holds the TrainState (typed PRNG keys stored as raw key data) and a JSON record of
the finished epochs' metrics. Orbax writes each step to a temporary directory and renames it,
so a killed run never leaves a checkpoint that restore would accept.
"""

from __future__ import annotations

import os
from typing import Any

import jax
import orbax.checkpoint as ocp


def _is_key(x: Any) -> bool:
    return isinstance(x, jax.Array) and jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key)


def _to_raw(tree: Any) -> Any:
    return jax.tree.map(lambda x: jax.random.key_data(x) if _is_key(x) else x, tree)


def _from_raw(raw: Any, like: Any) -> Any:
    return jax.tree.map(
        lambda r, x: jax.random.wrap_key_data(r, impl=jax.random.key_impl(x)) if _is_key(x) else r, raw, like
    )


class Checkpoints:
    """Save and restore (state, meta) pairs under `directory`, keeping the newest `keep`."""

    def __init__(self, directory: str | os.PathLike, keep: int = 2):
        self._manager = ocp.CheckpointManager(
            os.path.abspath(directory), options=ocp.CheckpointManagerOptions(max_to_keep=keep)
        )

    def latest_epoch(self) -> int | None:
        return self._manager.latest_step()

    def save(self, epoch: int, state: Any, meta: dict[str, Any]) -> None:
        self._manager.save(
            epoch,
            args=ocp.args.Composite(state=ocp.args.StandardSave(_to_raw(state)), meta=ocp.args.JsonSave(meta)),
        )
        self._manager.wait_until_finished()

    def restore(self, epoch: int, like: Any) -> tuple[Any, dict[str, Any]]:
        """State shaped like `like` (an example state) and the saved meta record."""
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, _to_raw(like))
        out = self._manager.restore(
            epoch, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract), meta=ocp.args.JsonRestore())
        )
        return _from_raw(out["state"], like), dict(out["meta"])

    def close(self) -> None:
        self._manager.close()
