"""Capacity experiments for linear attention as Hebbian memory (E1-E6, Hopfield anchor)."""

from attention_theory.capacity import bounds
from attention_theory.capacity.e1_noise import E1Config, run_e1
from attention_theory.capacity.e2_failure import E2Config, run_e2
from attention_theory.capacity.e3_depth import E3Config, run_e3
from attention_theory.capacity.e4_rules import SCENARIOS, E4Config, run_e4
from attention_theory.capacity.e5_schlag import E5Config, MemorySpec, SchlagModel, make_dataset, run_e5
from attention_theory.capacity.e6_mqar import E6Config, MQARModel, make_mqar, run_e6
from attention_theory.capacity.experiments import EXPERIMENTS, run_experiment
from attention_theory.capacity.fitting import bootstrap_slope, crossing, loglog_slope
from attention_theory.capacity.hopfield import HopfieldConfig, run_hopfield
from attention_theory.capacity.report import Report, markdown_table, save_report
from attention_theory.capacity.simulator import (
    hebbian_noise_powers,
    noise_powers_from_samples,
    numpy_noise_powers,
    simulate_noise_powers,
)

__all__ = [
    "EXPERIMENTS",
    "SCENARIOS",
    "E1Config",
    "E2Config",
    "E3Config",
    "E4Config",
    "E5Config",
    "E6Config",
    "MQARModel",
    "MemorySpec",
    "SchlagModel",
    "HopfieldConfig",
    "Report",
    "bootstrap_slope",
    "bounds",
    "crossing",
    "hebbian_noise_powers",
    "loglog_slope",
    "make_dataset",
    "make_mqar",
    "markdown_table",
    "noise_powers_from_samples",
    "numpy_noise_powers",
    "run_e1",
    "run_e2",
    "run_e3",
    "run_e4",
    "run_e5",
    "run_e6",
    "run_experiment",
    "run_hopfield",
    "save_report",
    "simulate_noise_powers",
]
