"""Resource limits, enforced DURING sampling and checked again after mutation and crossover."""

from __future__ import annotations

from dataclasses import dataclass

from einspace.tree.infer import Analysis


@dataclass(frozen=True)
class Limits:
    """Per-architecture limits, all symbolic (nothing is allocated to check them).

    max_depth: derivation depth (root = 0). max_nodes: derivation nodes. max_params: trainable
    parameters of the backbone (copies of repeated branches included). max_activation_bytes:
    float32 bytes of every intermediate tensor of one example (what backprop keeps).
    max_flops: forward FLOPs per example (None: unlimited).
    max_restarts: fresh attempts before `sample` gives up.
    The sampler recurses about three Python frames per level: a max_depth above ~300 needs
    `sys.setrecursionlimit` raised accordingly (benchmarks/sampling.py does so).
    """

    max_depth: int = 32
    max_nodes: int = 256
    max_params: int = 10_000_000
    max_activation_bytes: int = 256 * 2**20
    max_restarts: int = 200
    max_flops: int | None = None

    def __post_init__(self):
        for name in ("max_depth", "max_nodes", "max_params", "max_activation_bytes", "max_restarts", "max_flops"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"Limits.{name}={getattr(self, name)}: must be >= 1")

    @classmethod
    def official(cls) -> Limits:
        """The conditions the official sampler drew the paper's Table 10 under.

        Its configs set `search_space_max_module_depth: 100` (at module depth 100 only M -> C is
        allowed, as our max_depth does) and it has no node, parameter-count, activation or FLOP
        cap while sampling: it only resamples a whole architecture after a 5-minute timeout or
        when the predicted parameter count exceeds half the machine's free memory in bytes. So:
        max_depth 100 and every other cap effectively off (max_params 1e12 stands in for the
        memory check). Sampling at p(M -> C) < 0.5 under these limits can take minutes.
        """
        return cls(max_depth=100, max_nodes=10**6, max_params=10**12, max_activation_bytes=10**18)

    def violations(self, analysis: Analysis, num_nodes: int) -> list[str]:
        """Human-readable list of the limits `analysis` breaks (empty when within limits)."""
        out = []
        if analysis.depth > self.max_depth:
            out.append(f"depth {analysis.depth} > max_depth {self.max_depth}")
        if num_nodes > self.max_nodes:
            out.append(f"nodes {num_nodes} > max_nodes {self.max_nodes}")
        if analysis.params > self.max_params:
            out.append(f"params {analysis.params} > max_params {self.max_params}")
        if analysis.activation_bytes > self.max_activation_bytes:
            out.append(f"activation bytes {analysis.activation_bytes} > max_activation_bytes "
                       f"{self.max_activation_bytes}")
        if self.max_flops is not None and analysis.flops > self.max_flops:
            out.append(f"flops {analysis.flops} > max_flops {self.max_flops}")
        return out
