"""Data-parallel training over two host devices matches one device within tolerance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np

SCRIPT = textwrap.dedent(
    """
    import json, jax, numpy as np
    from flax import nnx
    from einspace.data import load_embedded
    from jitloop import TrainConfig, fit

    assert jax.device_count() == 2, jax.devices()
    data = load_embedded("digits")
    out = {}
    for parallel in (False, True):
        model = nnx.Sequential(lambda x: x.reshape(x.shape[0], -1), nnx.Linear(64, 32, rngs=nnx.Rngs(0)),
                               nnx.relu, nnx.Linear(32, 10, rngs=nnx.Rngs(1)))
        result = fit(model, data, TrainConfig(epochs=2, batch_size=64, eval_batch_size=50, data_parallel=parallel),
                     compile_cache=False)
        leaves = jax.tree.leaves(nnx.state(result.model, nnx.Param))
        sharded = {str(leaf.sharding) for leaf in leaves}
        out[str(parallel)] = {"final": result.final, "params": [np.asarray(p).tolist() for p in leaves],
                              "sharding": sorted(sharded)}
    print("RESULT" + json.dumps(out))
    """
)


def test_two_host_devices_match_one():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.split("RESULT", 1)[1])
    single, parallel = out["False"], out["True"]
    assert any("NamedSharding" in s for s in parallel["sharding"]), parallel["sharding"]
    for a, b in zip(single["params"], parallel["params"]):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-4, atol=1e-5)
    for k, v in single["final"].items():
        assert abs(v - parallel["final"][k]) <= 1e-3, (k, v, parallel["final"][k])
