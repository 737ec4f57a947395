"""PDE data for neural operators: Darcy, 2-D Navier-Stokes, 1-D Burgers and Lorenz-63.

Each problem has a frozen config, a batched generator returning named float32 arrays, and is
registered in PROBLEMS by name for the CLI; `generate(name, config, path)` caches to .npz with a
metadata record of every parameter.
"""

from attention_theory.pde.burgers import BurgersConfig, generate_burgers, solve_burgers
from attention_theory.pde.cache import config_metadata, load_dataset, load_or_generate, save_dataset
from attention_theory.pde.darcy import DarcyConfig, darcy_coefficient, generate_darcy, solve_darcy
from attention_theory.pde.grf import darcy_grf, periodic_grf
from attention_theory.pde.lorenz import LorenzConfig, generate_lorenz, integrate_lorenz, lorenz_rhs
from attention_theory.pde.navier_stokes import NavierStokesConfig, fno_forcing, generate_navier_stokes, navier_stokes_2d
from attention_theory.pde.problems import PROBLEMS, generate

__all__ = [
    "PROBLEMS", "BurgersConfig", "DarcyConfig", "LorenzConfig", "NavierStokesConfig", "config_metadata",
    "darcy_coefficient", "darcy_grf", "fno_forcing", "generate", "generate_burgers", "generate_darcy",
    "generate_lorenz", "generate_navier_stokes", "integrate_lorenz", "load_dataset", "load_or_generate",
    "lorenz_rhs", "navier_stokes_2d", "periodic_grf", "save_dataset", "solve_burgers", "solve_darcy",
]
