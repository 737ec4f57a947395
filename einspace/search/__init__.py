"""Architecture search over einspace: ask/tell strategies (random search, regularised evolution,
seeded and crossover variants, successive halving), candidate evaluation with every outcome
recorded, resumable run directories, serial/process/Ray executors, progress view and reports."""

from einspace.search.config import (EMBEDDED_PRESET, EXECUTORS, OBJECTIVES, STRATEGIES, SearchConfig,
                                    config_differences, preset_config)
from einspace.search.evaluate import FAILURES, STATUSES, Evaluator, Task, load_dataset, train_config
from einspace.search.executors import (ProcessExecutor, RayExecutor, SerialExecutor, ThreadExecutor,
                                       make_executor)
from einspace.search.progress import SearchProgress
from einspace.search.report import write_report
from einspace.search.retrain import retrain
from einspace.search.rundir import RunDir, RunDirError, load_trials, read_log
from einspace.search.runner import SearchResult, best_record, halving_thresholds, run_search
from einspace.search.space import Space, SpaceError, trial_rng
from einspace.search.strategies import (FixedCandidates, Proposal, RandomSearch, RegularisedEvolution, make_strategy,
                                        seed_architectures)
from einspace.search.synthetic import PLANTED, planted_fitness

__all__ = [
    "EMBEDDED_PRESET", "preset_config", "retrain", "write_report", "EXECUTORS", "OBJECTIVES",
    "STRATEGIES", "SearchConfig", "config_differences", "FAILURES", "STATUSES", "Evaluator", "Task",
    "load_dataset", "train_config", "ProcessExecutor", "RayExecutor", "SerialExecutor",
    "ThreadExecutor", "make_executor", "SearchProgress", "RunDir", "RunDirError", "load_trials",
    "read_log", "SearchResult", "best_record", "halving_thresholds", "run_search", "Space",
    "SpaceError", "trial_rng", "Proposal", "FixedCandidates", "RandomSearch",
    "RegularisedEvolution", "make_strategy", "seed_architectures", "PLANTED", "planted_fitness",
]
