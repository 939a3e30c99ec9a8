"""Re-measure the README's "eager vs jit(batch)" and "chunks vs vmap" columns at 224.

Four random uint8 300x306 images per preset at the default sizes, key 0. Slow (minutes on a
CPU); not run by pytest. Usage: ``python tests/reference/measure_preset_reproducibility.py``.
"""

import jax
import jax.numpy as jnp
import numpy as np

import jaxaug as ja
from jaxaug import presets

N = 4
rng = np.random.default_rng(0)
for name, make in presets.PRESETS.items():
    t = make()
    channels = 1 if name == "xray" else 3
    xs = jnp.asarray(rng.integers(0, 256, (N, 300, 306, channels), dtype=np.uint8))
    key = jax.random.key(0)
    keys = jax.random.split(key, N)
    eager = np.stack([np.asarray(t(keys[i], xs[i])) for i in range(N)])
    vmapped = np.asarray(jax.jit(ja.batch(t))(key, xs))
    chunked = [np.asarray(jax.jit(ja.batch(t, chunk_size=k))(key, xs)) for k in (1, 3)]
    diff = np.abs(eager - vmapped)
    print(
        f"{name}: eager vs jit(batch) {diff.max():.3g} ({int((diff.max(-1) > 1e-3).sum())} pixels > 1e-3 of "
        f"{diff[..., 0].size}); chunks vs vmap {max(float(np.abs(c - vmapped).max()) for c in chunked):.3g}"
    )
