"""PDE problems by name: config type + generator, and cached generation."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from attention_theory.pde.burgers import BurgersConfig, generate_burgers
from attention_theory.pde.cache import config_metadata, load_or_generate
from attention_theory.pde.darcy import DarcyConfig, generate_darcy
from attention_theory.pde.lorenz import LorenzConfig, generate_lorenz
from attention_theory.pde.navier_stokes import NavierStokesConfig, generate_navier_stokes


class Problem(NamedTuple):
    config: type
    generate: Callable[..., dict[str, np.ndarray]]


PROBLEMS: dict[str, Problem] = {
    "darcy": Problem(DarcyConfig, generate_darcy),
    "navier-stokes": Problem(NavierStokesConfig, generate_navier_stokes),
    "burgers": Problem(BurgersConfig, generate_burgers),
    "lorenz63": Problem(LorenzConfig, generate_lorenz),
}


def generate(
    name: str, config, path: str | None = None, progress: Callable[[int, int], None] | None = None
) -> tuple[dict[str, np.ndarray], dict, bool]:
    """(arrays, metadata, from_cache) for problem `name`; cached at `path` (.npz) when given."""
    if name not in PROBLEMS:
        raise ValueError(f"unknown PDE problem {name!r}; valid: {sorted(PROBLEMS)}")
    problem = PROBLEMS[name]
    if not isinstance(config, problem.config):
        raise TypeError(f"problem {name!r} needs a {problem.config.__name__}; got {type(config).__name__}")
    metadata = config_metadata(name, config)
    arrays, from_cache = load_or_generate(path, metadata, lambda: problem.generate(config, progress))
    return arrays, metadata, from_cache
