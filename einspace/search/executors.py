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
  unpinned), loading the dataset once and keeping it resident. `ready()` waits until every
  worker has started and warmed up, and reports the start-up seconds, so callers can keep them
  apart from per-trial time.
- RayExecutor: one actor per worker (per GPU when Ray sees GPUs), on `ray.init()` locally or
  on the cluster at `address`; JAX memory variables are set in each actor before JAX starts.
Process and Ray workers are watched: a candidate still running at twice timeout_s (a compile or
an epoch that never ends, which the per-epoch check cannot stop) is killed with its worker and
the worker replaced (_SlotExecutor). Serial and thread executors cannot stop a running compile.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import multiprocessing
import os
import threading
import time
from typing import Any

from einspace.search.config import SearchConfig
from einspace.search.evaluate import Evaluator, Task, task_record

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


def _init_worker(config: dict[str, Any], env: dict[str, str], cpus: tuple[int, ...] | None = None) -> None:
    """Start a worker: pin it to `cpus`, set the environment, load the dataset, warm up.

    Runs before JAX initialises a backend in this process (importing jax does not), so the
    affinity and XLA_FLAGS decide XLA's thread pool.
    """
    t0 = time.perf_counter()
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cpus)
    os.environ.update(env)
    global _WORKER, _STARTED
    _WORKER = Evaluator(SearchConfig.from_dict(config))
    _WORKER.warm_up()
    _STARTED = time.perf_counter() - t0


def _input_shape() -> tuple[int, ...]:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER.input_shape


def _worker_info() -> dict[str, Any]:
    """This worker's pid, CPUs and start-up seconds."""
    assert _WORKER is not None, "worker used before its initializer ran"
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {"pid": os.getpid(), "cpus": cpus, "started_s": _STARTED, "input_shape": _WORKER.input_shape}


def _evaluate(task: Task) -> dict[str, Any]:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER(task)


def killed_record(task: Task, seconds: float, limit: float, started_at: float) -> dict[str, Any]:
    """The trial record of a candidate killed with its worker for running past `limit` seconds."""
    return {**task_record(task, "killed", started_at), "fitness": 0.0, "status": "timeout",
            "reason": f"killed with its worker: still running after {seconds:.1f} s, past the hard limit of "
                      f"{limit:g} s (a compile or an epoch that did not finish)",
            "wall_s": round(seconds, 4)}


@dataclasses.dataclass
class _Running:
    task: Task
    future: cf.Future  # what submit() returned
    started: float  # time.monotonic() at submission
    started_at: float  # time.time() at submission
    killed: bool = False


class _SlotExecutor:
    """Workers in `config.workers` slots, one candidate each, watched: a candidate still running
    at KILL_FACTOR x config.timeout_s after its submission (a compile or an epoch that never ends,
    which the per-epoch timeout cannot stop) is killed with its worker, recorded as a timeout
    (fitness 0, killed_record), and the slot's worker restarted (its start-up seconds again).

    Subclasses give `_run(slot, task) -> Future` and `_restart(slot)`, and call `_stop_watch()`
    when they close.
    """

    KILL_FACTOR = 2.0
    WATCH_INTERVAL_S = 0.25

    def _init_slots(self, config: SearchConfig) -> None:
        self.capacity = config.workers
        self.running: list[_Running | None] = [None] * config.workers
        self.lock = threading.Lock()
        self.kill_after_s = self.KILL_FACTOR * config.timeout_s
        self.closing = threading.Event()
        self.watchdog = None
        if self.kill_after_s > 0:
            self.watchdog = threading.Thread(target=self._watch, name="einspace-watchdog", daemon=True)
            self.watchdog.start()

    def _run(self, slot: int, task: Task) -> cf.Future:
        raise NotImplementedError

    def _restart(self, slot: int) -> None:
        raise NotImplementedError

    def submit(self, task: Task) -> cf.Future:
        with self.lock:
            slot = self.running.index(None)  # the caller keeps at most `capacity` in flight
            entry = _Running(task, cf.Future(), time.monotonic(), time.time())
            self.running[slot] = entry
            inner = self._run(slot, task)
        inner.add_done_callback(lambda f: self._settle(slot, entry, f))
        return entry.future

    def _settle(self, slot: int, entry: _Running, inner: cf.Future) -> None:
        with self.lock:
            if entry.killed:  # the watchdog settles it (its worker died when it was killed)
                return
            self.running[slot] = None
        if inner.cancelled():
            entry.future.cancel()
        elif inner.exception() is not None:
            entry.future.set_exception(inner.exception())
        else:
            entry.future.set_result(inner.result())

    def _watch(self) -> None:
        while not self.closing.wait(self.WATCH_INTERVAL_S):
            now = time.monotonic()
            with self.lock:
                overdue = [(slot, e) for slot, e in enumerate(self.running)
                           if e is not None and not e.killed and now - e.started > self.kill_after_s]
                for _, entry in overdue:
                    entry.killed = True
            for slot, entry in overdue:
                self._restart(slot)
                with self.lock:
                    self.running[slot] = None
                entry.future.set_result(killed_record(entry.task, time.monotonic() - entry.started,
                                                      self.kill_after_s, entry.started_at))

    def _stop_watch(self) -> None:
        self.closing.set()
        if self.watchdog is not None:
            self.watchdog.join()


class ProcessExecutor(_SlotExecutor):
    """`config.workers` spawned processes, each pinned to its CPU share with its dataset resident,
    each in its own one-process pool so that one can be killed and restarted alone (the
    watchdog: see _SlotExecutor). Workers start on construction; `ready()` waits for all of them.
    """

    START_TIMEOUT_S = 600.0

    def __init__(self, config: SearchConfig):
        self.config = config
        self.shares = cpu_shares(config.workers)
        self.env = worker_env(len(self.shares[0]))
        self.t0 = time.perf_counter()
        self.pools = [self._start(slot) for slot in range(config.workers)]
        self._info = [pool.submit(_worker_info) for pool in self.pools]
        self.workers: list[dict[str, Any]] = []
        self.startup_s: float | None = None
        self._init_slots(config)

    def _start(self, slot: int) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                      initializer=_init_worker,
                                      initargs=(self.config.to_dict(), self.env, self.shares[slot]))

    def ready(self) -> float:
        """Wait until every worker has started; returns the seconds since construction."""
        if self.startup_s is None:
            self.workers = [f.result(timeout=self.START_TIMEOUT_S) for f in self._info]
            self.startup_s = time.perf_counter() - self.t0
        return self.startup_s

    def input_shape(self) -> tuple[int, ...]:
        self.ready()
        return tuple(self.workers[0]["input_shape"])

    def _run(self, slot: int, task: Task) -> cf.Future:
        return self.pools[slot].submit(_evaluate, task)

    def _restart(self, slot: int) -> None:
        """Kill the slot's worker process and start a fresh one in a new pool."""
        pool = self.pools[slot]
        for process in list(getattr(pool, "_processes", {}).values()):  # the pool's one worker
            process.kill()
        pool.shutdown(wait=True, cancel_futures=True)
        self.pools[slot] = self._start(slot)

    def close(self) -> None:
        self._stop_watch()
        for pool in self.pools:
            pool.shutdown(wait=True, cancel_futures=True)


class RayExecutor(_SlotExecutor):
    """`config.workers` Ray actors, each holding an Evaluator (the watchdog: see _SlotExecutor;
    a killed actor is replaced); needs `pip install ray`."""

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
        env = worker_env(threads)
        actor = ray.remote(num_gpus=gpus, num_cpus=1)(_RayWorker).options(runtime_env={"env_vars": env})
        self._new_actor = lambda: actor.remote(config.to_dict(), env)
        self.actors = [self._new_actor() for _ in range(config.workers)]
        self._init_slots(config)

    def ready(self) -> float:
        """Wait until every actor has started; returns the seconds this took."""
        t0 = time.perf_counter()
        self.ray.get([a.input_shape.remote() for a in self.actors])
        return time.perf_counter() - t0

    def input_shape(self) -> tuple[int, ...]:
        return self.ray.get(self.actors[0].input_shape.remote())

    def _run(self, slot: int, task: Task) -> cf.Future:
        return self.actors[slot].evaluate.remote(task).future()

    def _restart(self, slot: int) -> None:
        self.ray.kill(self.actors[slot])
        self.actors[slot] = self._new_actor()

    def close(self) -> None:
        self._stop_watch()
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
