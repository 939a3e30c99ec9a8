"""Argument checks shared by every public function.

All checks run at trace time on static values (Python numbers, shapes, dtypes), so a bad
argument raises before anything is compiled. Messages name the caller, the argument, the value
received and what would work.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np


def check_key(where: str, key: Any) -> None:
    """Raise TypeError unless `key` is one PRNG key (typed, or a legacy uint32[2])."""
    dtype = getattr(key, "dtype", None)
    shape = getattr(key, "shape", None)
    if dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        if shape != ():
            raise TypeError(
                f"{where}: key must be a single PRNG key, got a key array of shape {shape}; "
                "use ja.batch(...) to give one key to each example"
            )
        return
    if dtype is not None and dtype == jnp.uint32 and shape == (2,):
        return
    raise TypeError(
        f"{where}: key must be a PRNG key from jax.random.key(seed) or jax.random.PRNGKey(seed), "
        f"got {type(key).__name__} with dtype {dtype} and shape {shape}"
    )


def check_probability(where: str, name: str, value: Any) -> None:
    """Raise ValueError unless a static probability lies in [0, 1]."""
    if isinstance(value, jax.Array) and not _is_concrete(value):
        return  # A traced probability is allowed; it cannot be checked here.
    v = float(value)
    if not 0.0 <= v <= 1.0 or math.isnan(v):
        raise ValueError(f"{where}: {name} must be a probability in [0, 1], got {value}")


def check_range(
    where: str, name: str, value: Any, *, low: float | None = None, high: float | None = None
) -> tuple[float, float]:
    """Check a (min, max) pair: two numbers, min <= max, inside [low, high]. Returns floats."""
    if not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(f"{where}: {name} must be a (min, max) pair, got {value!r}")
    lo, hi = float(value[0]), float(value[1])
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        raise ValueError(f"{where}: {name} must satisfy min <= max, got {value!r}")
    if low is not None and lo < low:
        raise ValueError(f"{where}: {name} must be >= {low}, got {value!r}")
    if high is not None and hi > high:
        raise ValueError(f"{where}: {name} must be <= {high}, got {value!r}")
    return lo, hi


def check_nonnegative(where: str, name: str, value: Any) -> float:
    """Raise ValueError unless a static number is finite and >= 0."""
    v = float(value)
    if not (v >= 0.0) or math.isinf(v):
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value!r}")
    return v


def check_image(where: str, image: Any) -> None:
    """Raise unless `image` is one (H, W, C) image, uint8 or floating, with H, W, C >= 1."""
    shape = getattr(image, "shape", None)
    if shape is None:
        raise TypeError(f"{where}: image must be an array of shape (H, W, C), got {type(image).__name__}")
    if len(shape) != 3:
        hint = ""
        if len(shape) == 4:
            hint = "; for a batch (N, H, W, C) use ja.batch(transform)(key, images)"
        elif len(shape) == 2:
            hint = "; add a channel axis: image[..., None]"
        raise ValueError(f"{where}: image must have shape (H, W, C), got shape {shape}{hint}")
    if min(shape) < 1:
        raise ValueError(f"{where}: image must be non-empty, got shape {shape}")
    dtype = jnp.dtype(image.dtype)
    if dtype != jnp.uint8 and not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(
            f"{where}: image dtype must be uint8 (0..255) or floating (0..1), got {dtype}; "
            "scale other integer data (e.g. int16 CT in Hounsfield units) into [0, 1] first"
        )


def check_mask(where: str, mask: Any, image_shape: tuple[int, ...]) -> None:
    """Raise unless `mask` is (H, W) or (H, W, K) with the image's H and W."""
    shape = getattr(mask, "shape", None)
    if shape is None or len(shape) not in (2, 3):
        raise ValueError(f"{where}: mask must have shape (H, W) or (H, W, K), got {shape}")
    if tuple(shape[:2]) != tuple(image_shape[:2]):
        raise ValueError(
            f"{where}: mask must have the image's height and width {tuple(image_shape[:2])}, "
            f"got mask of shape {tuple(shape)}"
        )


def size_pair(where: str, name: str, size: Any) -> tuple[int, int]:
    """An (h, w) pair of positive ints from an int or a one- or two-element sequence."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        pair = (int(size), int(size))
    elif isinstance(size, Sequence) and len(size) in (1, 2) and all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in size
    ):
        pair = (int(size[0]), int(size[-1]))
    else:
        raise ValueError(f"{where}: {name} must be an int or a (height, width) pair of ints, got {size!r}")
    if min(pair) < 1:
        raise ValueError(f"{where}: {name} must be positive, got {size!r}")
    return pair


def channel_values(where: str, name: str, value: Any, channels: int) -> tuple[float, ...]:
    """A per-channel constant (a number, or one value per channel) as a tuple of length C."""
    values = tuple(float(v) for v in np.atleast_1d(np.asarray(value, dtype=np.float64)))
    if len(values) == 1:
        return values * channels
    if len(values) != channels:
        expected = "1 value" if channels == 1 else f"1 or {channels} values (one per channel)"
        raise ValueError(f"{where}: {name} must have {expected} for a {channels}-channel image, got {len(values)}")
    return values


def _is_concrete(x: jax.Array) -> bool:
    try:
        float(x)
    except (jax.errors.ConcretizationTypeError, TypeError):
        return False
    return True
