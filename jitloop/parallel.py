"""Data parallelism: with several local devices the batch axis is sharded over all of them.

The dataset and the training state are replicated; each step constrains its batch to be split
along the "data" mesh axis, and XLA inserts the gradient all-reduce. With one device nothing
is sharded and the programs are the plain single-device ones.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where arrays live: `batch` shards a batch axis, `replicated` copies to every device."""

    devices: int
    batch: NamedSharding | None
    replicated: NamedSharding | None

    def put(self, tree: Any) -> Any:
        if self.replicated is None:
            return jax.device_put(tree)
        return jax.device_put(tree, self.replicated)


def placement(enabled: bool, batch_sizes: dict[str, int]) -> Placement:
    """A Placement over all local devices when `enabled` and there are several.

    batch_sizes: {"TrainConfig.batch_size": 256, ...}, each must divide by the device count.
    """
    devices = jax.local_devices()
    if not enabled or len(devices) == 1:
        return Placement(1, None, None)
    for field, size in batch_sizes.items():
        if size % len(devices):
            raise ValueError(
                f"{field}={size} cannot be split over {len(devices)} devices; use a multiple of {len(devices)} "
                "or set TrainConfig.data_parallel=False"
            )
    mesh = Mesh(np.array(devices), ("data",))
    return Placement(len(devices), NamedSharding(mesh, PartitionSpec("data")), NamedSharding(mesh, PartitionSpec()))
