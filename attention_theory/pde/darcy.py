"""2-D Darcy flow -div(a grad u) = f on (0,1)^2, u = 0 on the boundary (FNO's solve_gwf protocol).

Five-point finite differences on the s x s grid including the boundary (h = 1/(s-1)) with
arithmetic-mean face coefficients a_{i+1/2,j} = (a_{i,j} + a_{i+1,j})/2, assembled as one sparse
matrix over the (s-2)^2 interior unknowns and solved directly (SuperLU, minimum-degree ordering
of A^T + A: the matrix is symmetric; 0.8 s instead of 1.1 s at s = 421). Second order in h for
smooth coefficients (tested against a manufactured solution). Data are generated on a fine grid
and subsampled, because solving directly on the coarse grid differs by 0.2-0.7% relative L2.
Fine grids of PARALLEL_MIN_RESOLUTION points or more are solved by a pool of threads, one per CPU
(SuperLU releases the GIL: 8 solves at s = 421 took 4.5 s on 2 threads, 7.8 s on one); the
coefficients are still drawn in order from one generator, so the data do not depend on the
number of workers.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import os
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg

from attention_theory.pde.grf import darcy_grf

COEFFICIENTS = ("piecewise", "lognormal")
PARALLEL_MIN_RESOLUTION = 129


def solve_darcy(a: np.ndarray, f: float | np.ndarray = 1.0) -> np.ndarray:
    """Solve -div(a grad u) = f with u = 0 on the boundary.

    Args:
      a: (s, s) positive coefficient at the grid nodes (boundary included), s >= 3.
      f: scalar or (s, s) right-hand side at the nodes (boundary values ignored).
    Returns:
      (s, s) solution, zero on the boundary.
    """
    a = np.asarray(a, np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 3:
        raise ValueError(f"solve_darcy expects a square (s, s) coefficient with s >= 3; got {a.shape}")
    if np.any(a <= 0):
        raise ValueError(f"Darcy coefficient must be positive; min is {a.min()}")
    s = a.shape[0]
    m = s - 2
    h2 = (1.0 / (s - 1)) ** 2
    east = 0.5 * (a[1:-1, 1:-1] + a[2:, 1:-1])  # face between (i, j) and (i+1, j), interior nodes
    west = 0.5 * (a[1:-1, 1:-1] + a[:-2, 1:-1])
    north = 0.5 * (a[1:-1, 1:-1] + a[1:-1, 2:])
    south = 0.5 * (a[1:-1, 1:-1] + a[1:-1, :-2])
    index = np.arange(m * m).reshape(m, m)
    rows = [index.ravel()]
    cols = [index.ravel()]
    vals = [(east + west + north + south).ravel() / h2]
    for coef, di, dj in ((east, 1, 0), (west, -1, 0), (north, 0, 1), (south, 0, -1)):
        ii, jj = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
        ni, nj = ii + di, jj + dj
        inside = (ni >= 0) & (ni < m) & (nj >= 0) & (nj < m)  # boundary neighbours are u = 0
        rows.append(index[inside])
        cols.append(index[ni[inside], nj[inside]])
        vals.append(-coef[inside] / h2)
    matrix = sparse.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(m * m, m * m)
    )
    rhs = np.broadcast_to(np.asarray(f, np.float64), (s, s))[1:-1, 1:-1].ravel()
    u = np.zeros((s, s))
    u[1:-1, 1:-1] = sparse_linalg.spsolve(matrix, rhs, permc_spec="MMD_AT_PLUS_A").reshape(m, m)
    return u


@dataclasses.dataclass(frozen=True)
class DarcyConfig:
    """Darcy data: `num_samples` pairs generated at `fine_resolution`, kept every `subsample`-th point.

    coefficient: 'piecewise' (a = high where g >= 0 else low) or 'lognormal' (a = exp(g)).
    Stored resolution = (fine_resolution - 1) // subsample + 1 (FNO: 421, r = 5 -> 85).
    """

    num_samples: int = 1100
    fine_resolution: int = 421
    subsample: int = 5
    coefficient: str = "piecewise"
    alpha: float = 2.0
    tau: float = 3.0
    high: float = 12.0
    low: float = 3.0
    seed: int = 0

    def __post_init__(self):
        if self.coefficient not in COEFFICIENTS:
            raise ValueError(f"DarcyConfig.coefficient must be one of {COEFFICIENTS}; got {self.coefficient!r}")
        if (self.fine_resolution - 1) % self.subsample:
            raise ValueError(
                f"DarcyConfig.subsample={self.subsample} must divide fine_resolution - 1 = {self.fine_resolution - 1} "
                "so the boundary is kept"
            )
        if self.num_samples < 1 or self.fine_resolution < 3:
            raise ValueError(f"DarcyConfig needs num_samples >= 1 and fine_resolution >= 3; got {self}")

    @property
    def resolution(self) -> int:
        return (self.fine_resolution - 1) // self.subsample + 1


def darcy_coefficient(g: np.ndarray, config: DarcyConfig) -> np.ndarray:
    """Map GRF samples to the positive coefficient field."""
    if config.coefficient == "lognormal":
        return np.exp(g)
    return np.where(g >= 0, config.high, config.low)


def default_workers(config: DarcyConfig) -> int:
    """Solver threads for `config`: one per CPU (at most 8) on fine grids, else 1."""
    if config.fine_resolution < PARALLEL_MIN_RESOLUTION or config.num_samples < 2:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(8, cpus, config.num_samples))


def generate_darcy(
    config: DarcyConfig, progress: Callable[[int, int], None] | None = None, workers: int | None = None
) -> dict[str, np.ndarray]:
    """{'a': (N, s, s), 'u': (N, s, s)} float32 at the stored resolution; progress(done, total) per sample.

    workers: solver threads (None = default_workers(config)); the data are the same for any.
    """
    rng = np.random.default_rng(config.seed)
    s, r = config.fine_resolution, config.subsample
    a_out = np.empty((config.num_samples, config.resolution, config.resolution), np.float32)
    u_out = np.empty_like(a_out)
    workers = default_workers(config) if workers is None else workers
    if workers < 1:
        raise ValueError(f"generate_darcy: workers={workers} is not valid; it must be >= 1 (None = one per CPU)")
    with cf.ThreadPoolExecutor(workers) as pool:
        chunk = 4 * workers  # coefficients held at once: memory stays O(workers) fine grids
        for start in range(0, config.num_samples, chunk):
            stop = min(start + chunk, config.num_samples)
            coefficients = [darcy_coefficient(darcy_grf(rng, 1, s, config.alpha, config.tau)[0], config)
                            for _ in range(start, stop)]
            for i, (a, u) in enumerate(zip(coefficients, pool.map(solve_darcy, coefficients)), start):
                a_out[i], u_out[i] = a[::r, ::r], u[::r, ::r]
                if progress is not None:
                    progress(i + 1, config.num_samples)
    return {"a": a_out, "u": u_out}
