"""Shared checks for the hypothesis suites that drive every public op (test_robustness_*.py).

Each op is a case: a function ``run(key, x, **params)``, a strategy for its parameters and one
for its input. `check_op` runs it eagerly on a numpy input and under jit(vmap), and checks what
every op promises: no crash on valid input, shape and dtype as documented, finite output, the
same values in and out of jit and vmap, and the input left as it was.
"""

from __future__ import annotations

import zlib
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import settings

FLOATS = ("float32", "float16", "bfloat16")
ALL_DTYPES = ("uint8",) + FLOATS

# Agreement of jit and vmap with eager: XLA may fuse and reorder float arithmetic, so the
# tolerance is a few units in the last place of each dtype, on values of order one.
TOLERANCE = {"uint8": 1e-5, "float32": 1e-5, "float16": 4e-3, "bfloat16": 3e-2}


def draws(ci: int) -> settings:
    """`ci` examples under the CI profile (5 per property), scaled with the profile's
    max_examples, so that HYPOTHESIS_PROFILE=thorough searches these suites 10x deeper too."""
    return settings(max_examples=max(1, ci * settings.default.max_examples // 5))


def rotated(options: tuple[str, ...], name: str) -> tuple[str, ...]:
    """`options` starting at a place fixed by `name`. Parametrized cases share one derandomized
    seed, so without this every op would be given the same dtypes in the same order."""
    start = zlib.crc32(name.encode()) % len(options)
    return options[start:] + options[:start]


def make_input(shape: tuple[int, ...], dtype: str, seed: int, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """Random values in [low, high] (uint8: 0..255) as a numpy array of `dtype`."""
    rng = np.random.default_rng(seed)
    if dtype == "uint8":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    values = rng.uniform(low, high, shape).astype(np.float32)
    return np.asarray(jnp.asarray(values).astype(dtype))


def expected_dtype(input_dtype: str, exact: bool) -> jnp.dtype:
    """The documented rule: floats keep their dtype; uint8 stays uint8 only through exact moves
    (flips, crops, quarter turns), and becomes float32 once anything is computed."""
    if input_dtype == "uint8" and not exact:
        return jnp.dtype(jnp.float32)
    return jnp.dtype(input_dtype)


def _as_float(a: Any) -> np.ndarray:
    return np.asarray(jnp.asarray(a).astype(jnp.float32))


def check_op(
    run: Callable[..., Any],
    x: np.ndarray,
    params: dict[str, Any],
    *,
    out_shape: tuple[int, ...],
    out_dtype: jnp.dtype,
    seed: int = 0,
) -> Any:
    """Runs `run(key, x, **params)` eagerly and under jit(vmap) on a batch of two; returns the
    eager output. One compilation per call: jit(vmap) example 0 must equal the eager call with
    its key, which checks jit and vmap at once (each alone is covered by the contract tests)."""
    x_before = x.copy()
    keys = jax.random.split(jax.random.key(seed), 2)
    out = run(keys[0], x, **params)
    first = out[0] if isinstance(out, tuple) else out

    assert first.shape == out_shape, f"shape {first.shape}, expected {out_shape}"
    assert first.dtype == out_dtype, f"dtype {first.dtype}, expected {out_dtype}"
    assert np.isfinite(_as_float(first)).all(), "non-finite output"

    tolerance = TOLERANCE.get(x.dtype.name, 1e-5)
    stacked = np.stack([x, x[::-1].copy()])
    batched = jax.jit(jax.vmap(lambda k, v: run(k, v, **params)))(keys, stacked)
    for got, want in zip(jax.tree.leaves(batched), jax.tree.leaves(out)):
        assert got.dtype == want.dtype, f"jit(vmap) dtype {got.dtype}, eager {want.dtype}"
        np.testing.assert_allclose(_as_float(got[0]), _as_float(want), atol=tolerance, rtol=tolerance, err_msg="jit(vmap)[0] != eager")
    np.testing.assert_array_equal(x, x_before, err_msg="input modified")
    return out
