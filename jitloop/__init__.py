"""jitloop: the jitted training engine shared by einspace, the neural operators and the memory experiments."""

from jitloop.config import OptimizerConfig, TrainConfig
from jitloop.data import Split, Splits, to_device
from jitloop.fit import FitResult, evaluate, fit, named_key
from jitloop.losses import LOSSES, METRICS, register_loss, register_metric
from jitloop.optim import make_optimizer
from jitloop.programs import clear_programs, enable_compile_cache
from jitloop.seeds import SeedsResult, fit_seeds

__all__ = [
    "FitResult", "LOSSES", "SeedsResult", "METRICS", "OptimizerConfig", "Split", "Splits", "TrainConfig",
    "clear_programs", "enable_compile_cache", "evaluate", "fit", "fit_seeds", "make_optimizer", "named_key",
    "register_loss", "register_metric", "to_device",
]
