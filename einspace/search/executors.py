"""Where candidates are evaluated: in this process, in a pool of spawned processes, or on Ray.

Each executor takes Tasks and returns concurrent.futures.Future objects resolving to trial
records, so the search loop is the same for all three: keep `capacity` tasks in flight and
submit a new child whenever any finishes (asynchronous steady-state evolution).

- SerialExecutor: evaluates at submit time in this process (reproducible; the default).
- ThreadExecutor: `workers` threads in this process; one candidate compiles while another
  trains (XLA releases the GIL), sharing the resident dataset.
- ProcessExecutor: `workers` spawned processes, each loading the dataset once and keeping it
  resident; XLA threads are limited to each worker's CPU share before JAX starts there.
- RayExecutor: one actor per worker (per GPU when Ray sees GPUs), on `ray.init()` locally or
  on the cluster at `address`; JAX memory variables are set in each actor before JAX starts.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from typing import Any

from einspace.search.config import SearchConfig
from einspace.search.evaluate import Evaluator, Task

# Set in every worker before JAX initialises a backend.
GPU_ENV = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false", "XLA_PYTHON_CLIENT_ALLOCATOR": "platform"}


def worker_env(threads: int) -> dict[str, str]:
    """Environment for a worker with `threads` CPU threads (and no GPU preallocation)."""
    flags = os.environ.get("XLA_FLAGS", "")
    if threads == 1 and "multi_thread_eigen" not in flags:
        flags = (flags + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
    return {**GPU_ENV, "XLA_FLAGS": flags, "OMP_NUM_THREADS": str(threads)}


class SerialExecutor:
    """Evaluates each task when it is submitted, in this process."""

    def __init__(self, config: SearchConfig, evaluator: Evaluator | None = None):
        self.evaluator = evaluator or Evaluator(config)
        self.capacity = 1

    def input_shape(self) -> tuple[int, ...]:
        return self.evaluator.input_shape

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

    def submit(self, task: Task) -> cf.Future:
        return self.pool.submit(self.evaluator, task)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_WORKER: Evaluator | None = None


def _init_worker(config: dict[str, Any], env: dict[str, str]) -> None:
    os.environ.update(env)
    global _WORKER
    _WORKER = Evaluator(SearchConfig.from_dict(config))


def _input_shape() -> tuple[int, ...]:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER.input_shape


def _evaluate(task: Task) -> dict[str, Any]:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER(task)


class ProcessExecutor:
    """A local pool of `config.workers` spawned processes, each with its dataset resident."""

    def __init__(self, config: SearchConfig):
        self.capacity = config.workers
        threads = max(1, (os.cpu_count() or 1) // config.workers)
        self.pool = cf.ProcessPoolExecutor(
            max_workers=config.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(config.to_dict(), worker_env(threads)),
        )

    def input_shape(self) -> tuple[int, ...]:
        return self.pool.submit(_input_shape).result()

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
