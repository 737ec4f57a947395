"""Registry of the capacity experiments: name -> (config class, run function, plot function).

The CLI and the notebook look experiments up here by name. E5 and E6 train models through the
shared engine (jitloop.fit); the others are Monte Carlo programs.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from attention_theory.capacity.e1_noise import E1Config, plot_e1, run_e1
from attention_theory.capacity.e2_failure import E2Config, plot_e2, run_e2
from attention_theory.capacity.e3_depth import E3Config, plot_e3, run_e3
from attention_theory.capacity.e4_rules import E4Config, plot_e4, run_e4
from attention_theory.capacity.e5_schlag import E5Config, plot_e5, run_e5
from attention_theory.capacity.e6_mqar import E6Config, plot_e6, run_e6
from attention_theory.capacity.hopfield import HopfieldConfig, plot_hopfield, run_hopfield
from attention_theory.capacity.report import Report, save_report


class Experiment(NamedTuple):
    config: type
    run: Any
    plot: Any


EXPERIMENTS: dict[str, Experiment] = {
    "e1": Experiment(E1Config, run_e1, plot_e1),
    "e2": Experiment(E2Config, run_e2, plot_e2),
    "e3": Experiment(E3Config, run_e3, plot_e3),
    "e4": Experiment(E4Config, run_e4, plot_e4),
    "e5": Experiment(E5Config, run_e5, plot_e5),
    "e6": Experiment(E6Config, run_e6, plot_e6),
    "hopfield": Experiment(HopfieldConfig, run_hopfield, plot_hopfield),
}


def run_experiment(name: str, config=None, out: str | None = None, plot: bool = True) -> tuple[Report, dict[str, str]]:
    """Run experiment `name` with `config` (its defaults when None); write results under `out` if given."""
    if name not in EXPERIMENTS:
        raise ValueError(f"experiment name={name!r} is unknown; valid names: {tuple(EXPERIMENTS)}")
    exp = EXPERIMENTS[name]
    config = exp.config() if config is None else config
    if not isinstance(config, exp.config):
        raise TypeError(f"experiment {name!r} needs a {exp.config.__name__}; got {type(config).__name__}")
    report = exp.run(config)
    paths = save_report(report, out, exp.plot if plot else None) if out is not None else {}
    return report, paths
