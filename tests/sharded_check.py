"""Run by tests/test_sharding.py in a subprocess with 8 simulated CPU devices; prints JSON.

Not collected by pytest (no test_ prefix): the device count must be set before JAX starts.
"""

import functools
import json
import os

os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8"

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402

import jaxaug as ja  # noqa: E402
from jaxaug import mix, presets, signal, tta  # noqa: E402

mesh = Mesh(np.array(jax.devices()), ("data",))
data = NamedSharding(mesh, PartitionSpec("data"))
COLLECTIVES = ("all-gather", "all-to-all", "collective-permute", "all-reduce")


def check(name, fn, *args):
    """Compile fn with batch-sharded inputs and outputs; compare with the unsharded run."""
    sharded_args = [jax.device_put(a, data) for a in args]
    replicated = NamedSharding(mesh, PartitionSpec())
    in_shardings = (replicated, *[data] * len(args))
    compiled = jax.jit(fn, in_shardings=in_shardings, out_shardings=data).lower(jax.random.key(0), *sharded_args).compile()
    hlo = compiled.as_text()
    out = compiled(jax.random.key(0), *sharded_args)
    ref = jax.jit(fn)(jax.random.key(0), *args)
    leaves, ref_leaves = jax.tree.leaves(out), jax.tree.leaves(ref)
    return {
        "name": name,
        "collectives": sorted({c for c in COLLECTIVES if c in hlo}),
        "same_values": all(np.allclose(np.asarray(a), np.asarray(b), atol=1e-5) for a, b in zip(leaves, ref_leaves)),
        "output_sharded": all(leaf.sharding.is_equivalent_to(data, leaf.ndim) for leaf in leaves),
    }


images = jnp.asarray(np.random.default_rng(0).integers(0, 256, (16, 32, 32, 1), dtype=np.uint8))
rgb = jnp.repeat(images, 3, axis=-1)
ecgs = jnp.asarray(np.random.default_rng(0).standard_normal((16, 500, 12)), jnp.float32)
labels = jnp.arange(16) % 4

results = [
    check("xray", ja.batch(presets.xray_train(size=24, resize=28)), images),
    check("ecg", ja.batch(functools.partial(signal.augment_ecg, p=1.0, fs=100.0)), ecgs),
    check("mixup_groups", lambda k, x, y: mix.mixup(k, x, y, 0.4, num_classes=4, mode="elem", groups=8), rgb, labels),
    check("cutmix_groups", lambda k, x, y: mix.cutmix(k, x, y, 1.0, num_classes=4, mode="elem", groups=8), rgb, labels),
    check("mixup_batch", lambda k, x, y: mix.mixup(k, x, y, 0.4, num_classes=4), rgb, labels),
    check("tta", lambda k, x: tta.predict(lambda v: v.mean(axis=(1, 2)), x.astype(jnp.float32), ["hflip", "vflip"]), rgb),
]
print(json.dumps({"devices": jax.device_count(), "results": results}))
