"""Where candidates are evaluated: in this process, in a pool of spawned processes, or on Ray.

Each executor takes Tasks and returns concurrent.futures.Future objects resolving to trial
records, so the search loop is the same for all three: keep `capacity` tasks in flight and
submit a new child whenever any finishes (asynchronous steady-state evolution).

- SerialExecutor: evaluates at submit time in this process (reproducible; the default).
- ThreadExecutor: `workers` threads in this process; one candidate compiles while another
  trains (XLA releases the GIL), sharing the resident dataset.
- ProcessExecutor: `workers` spawned processes, each pinned to its own share of this process's
  CPUs (os.sched_setaffinity, before JAX starts there, so XLA sizes its thread pool to the share
  and workers never compete for a core; on a quiet 2-core machine throughput was the same
  unpinned), loading the dataset once and keeping it resident. `ready()` waits until every worker has started and warmed up, and reports the
  start-up seconds, so callers can keep them apart from per-trial time.
- RayExecutor: one actor per worker (per GPU when Ray sees GPUs), on `ray.init()` locally or
  on the cluster at `address`; JAX memory variables are set in each actor before JAX starts.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import time
from typing import Any

from einspace.search.config import SearchConfig
from einspace.search.evaluate import Evaluator, Task

# Set in every worker before JAX initialises a backend.
GPU_ENV = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false", "XLA_PYTHON_CLIENT_ALLOCATOR": "platform"}


def worker_env(threads: int) -> dict[str, str]:
    """Environment for a worker with `threads` CPU threads (and no GPU preallocation)."""
    flags = os.environ.get("XLA_FLAGS", "")
    if threads == 1 and "multi_thread_eigen" not in flags:
        flags = (flags + " --xla_cpu_multi_thread_eigen=false").strip()
    return {**GPU_ENV, "XLA_FLAGS": flags, "OMP_NUM_THREADS": str(threads)}


def cpu_shares(workers: int) -> list[tuple[int, ...]]:
    """`workers` disjoint, near-equal shares of this process's CPUs (shared round-robin when
    there are more workers than CPUs)."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))
    if workers >= len(cpus):
        return [(cpus[i % len(cpus)],) for i in range(workers)]
    return [tuple(cpus[i::workers]) for i in range(workers)]


class SerialExecutor:
    """Evaluates each task when it is submitted, in this process."""

    def __init__(self, config: SearchConfig, evaluator: Evaluator | None = None):
        self.evaluator = evaluator or Evaluator(config)
        self.capacity = 1

    def input_shape(self) -> tuple[int, ...]:
        return self.evaluator.input_shape

    def ready(self) -> float:
        """Warm the evaluator up (see Evaluator.warm_up); returns its seconds."""
        return self.evaluator.warm_up()

    def submit(self, task: Task) -> cf.Future:
        future: cf.Future = cf.Future()
        future.set_result(self.evaluator(task))
        return future

    def close(self) -> None:
        pass


class ThreadExecutor:
    """`config.workers` threads in this process sharing one Evaluator and its resident dataset.

    XLA releases the GIL while compiling and while running, so one candidate compiles while
    another trains: the compile/train overlap, without a second copy of the dataset or of
    JAX. Results match serial for the same candidates; the order of completion may not.
    """

    def __init__(self, config: SearchConfig, evaluator: Evaluator | None = None):
        self.evaluator = evaluator or Evaluator(config)
        self.capacity = config.workers
        self.pool = cf.ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="einspace-eval")

    def input_shape(self) -> tuple[int, ...]:
        return self.evaluator.input_shape

    def ready(self) -> float:
        """Warm the shared evaluator up (see Evaluator.warm_up); returns its seconds."""
        return self.evaluator.warm_up()

    def submit(self, task: Task) -> cf.Future:
        return self.pool.submit(self.evaluator, task)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_WORKER: Evaluator | None = None
_STARTED: float = 0.0  # seconds this worker took to start: affinity, dataset, warm-up
_BARRIER = None  # shared by the pool's workers: makes the start-up report come from each once


def _init_worker(config: dict[str, Any], env: dict[str, str], shares=None, counter=None, barrier=None) -> None:
    """Start a worker: take the next CPU share, set the environment, load the dataset, warm up.

    Runs before JAX initialises a backend in this process (importing jax does not), so the
    affinity and XLA_FLAGS decide XLA's thread pool.
    """
    t0 = time.perf_counter()
    if shares and counter is not None and hasattr(os, "sched_setaffinity"):
        with counter.get_lock():
            index, counter.value = counter.value, counter.value + 1
        os.sched_setaffinity(0, shares[index % len(shares)])
    os.environ.update(env)
    global _WORKER, _STARTED, _BARRIER
    _WORKER = Evaluator(SearchConfig.from_dict(config))
    _WORKER.warm_up()
    _STARTED, _BARRIER = time.perf_counter() - t0, barrier


def _input_shape() -> tuple[int, ...]:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER.input_shape


def _worker_info() -> dict[str, Any]:
    """This worker's pid, CPUs and start-up seconds; with the pool's barrier, returns only once
    every worker is running one such call (so `workers` calls are answered by `workers` workers)."""
    assert _WORKER is not None, "worker used before its initializer ran"
    if _BARRIER is not None:
        _BARRIER.wait()
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {"pid": os.getpid(), "cpus": cpus, "started_s": _STARTED, "input_shape": _WORKER.input_shape}


def _evaluate(task: Task) -> dict[str, Any]:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER(task)


class ProcessExecutor:
    """A local pool of `config.workers` spawned processes, each pinned to its CPU share, with
    its dataset resident. Workers start on construction; `ready()` waits for all of them."""

    START_TIMEOUT_S = 600.0

    def __init__(self, config: SearchConfig):
        self.capacity = config.workers
        ctx = multiprocessing.get_context("spawn")
        shares = cpu_shares(config.workers)
        self.t0 = time.perf_counter()
        self.barrier = ctx.Barrier(config.workers, timeout=self.START_TIMEOUT_S)
        self.pool = cf.ProcessPoolExecutor(
            max_workers=config.workers, mp_context=ctx, initializer=_init_worker,
            initargs=(config.to_dict(), worker_env(len(shares[0])), shares, ctx.Value("i", 0), self.barrier),
        )
        # One call per worker, submitted together: the pool spawns a process for each (none is
        # idle yet), and the barrier holds each call until every worker runs one.
        self._info = [self.pool.submit(_worker_info) for _ in range(config.workers)]
        self.workers: list[dict[str, Any]] = []
        self.startup_s: float | None = None

    def ready(self) -> float:
        """Wait until every worker has started; returns the seconds since construction."""
        if self.startup_s is None:
            self.workers = [f.result() for f in self._info]
            self.startup_s = time.perf_counter() - self.t0
        return self.startup_s

    def input_shape(self) -> tuple[int, ...]:
        self.ready()
        return tuple(self.workers[0]["input_shape"])

    def submit(self, task: Task) -> cf.Future:
        return self.pool.submit(_evaluate, task)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class RayExecutor:
    """`config.workers` Ray actors, each holding an Evaluator; needs `pip install ray`."""

    def __init__(self, config: SearchConfig, address: str | None = None):
        try:
            import ray
        except ImportError as err:
            raise ImportError("executor 'ray' needs Ray: pip install 'einspace-jax[ray]'") from err
        self.ray = ray
        if not ray.is_initialized():
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        gpus = 1 if ray.cluster_resources().get("GPU", 0) >= config.workers else 0
        threads = max(1, int(ray.cluster_resources().get("CPU", 1)) // config.workers)
        actor = ray.remote(num_gpus=gpus, num_cpus=1)(_RayWorker)
        env = worker_env(threads)
        self.actors = [actor.options(runtime_env={"env_vars": env}).remote(config.to_dict(), env)
                       for _ in range(config.workers)]
        self.running: list[cf.Future | None] = [None] * config.workers
        self.capacity = config.workers

    def ready(self) -> float:
        """Wait until every actor has started; returns the seconds this took."""
        t0 = time.perf_counter()
        self.ray.get([a.input_shape.remote() for a in self.actors])
        return time.perf_counter() - t0

    def input_shape(self) -> tuple[int, ...]:
        return self.ray.get(self.actors[0].input_shape.remote())

    def submit(self, task: Task) -> cf.Future:
        free = next(i for i, f in enumerate(self.running) if f is None or f.done())
        self.running[free] = self.actors[free].evaluate.remote(task).future()
        return self.running[free]

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a)


class _RayWorker:
    def __init__(self, config: dict[str, Any], env: dict[str, str]):
        _init_worker(config, env)

    def evaluate(self, task: Task) -> dict[str, Any]:
        return _evaluate(task)

    def input_shape(self) -> tuple[int, ...]:
        return _input_shape()


def make_executor(config: SearchConfig, evaluator: Evaluator | None = None, address: str | None = None):
    """The executor named by `config.executor` (evaluator: reuse one in this process, serial only)."""
    if config.executor == "serial":
        return SerialExecutor(config, evaluator)
    if config.executor == "thread":
        return ThreadExecutor(config, evaluator)
    if config.executor == "process":
        return ProcessExecutor(config)
    return RayExecutor(config, address)
