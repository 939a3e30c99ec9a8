"""Argument checks shared by every public function.

All checks run at trace time on static values (Python numbers, shapes, dtypes), so a bad
argument raises before anything is compiled. Messages name the caller, the argument, the value
received and what would work.
"""

from __future__ import annotations

import contextvars
import functools
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import checkify


def as_array(x: Any) -> jax.Array:
    """``jnp.asarray``, reading a numpy array stored in the other byte order as native.

    NIfTI and DICOM files may be big-endian, and nibabel and pydicom hand those arrays over as
    they are stored (``>f4``); JAX refuses them with an error that names neither the dtype nor
    the fix. The values are the same, so they are byte-swapped here instead of refused.
    """
    if isinstance(x, np.ndarray) and not x.dtype.isnative:
        x = x.astype(x.dtype.newbyteorder("="))
    return jnp.asarray(x)


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


def check_probability(where: str, name: str, value: Any, per_element: bool = False) -> Any:
    """Raise unless a probability lies in [0, 1]; returns it as a float (or the array).

    Integers are valid probabilities (``p=0``, ``p=1``); bools and strings are refused, since
    ``p=True`` is more often a misplaced flag than a certainty. A concrete array is checked
    element by element, and is refused unless it is one number or `per_element` allows one
    probability per element; a traced one cannot be checked here.
    """
    if isinstance(value, (bool, np.bool_, str)):
        raise TypeError(f"{where}: {name} must be a probability in [0, 1], got {type(value).__name__} {value!r}")
    if isinstance(value, jax.core.Tracer):
        return value  # A traced probability is allowed; it cannot be checked here.
    if isinstance(value, (np.ndarray, jax.Array)) and np.ndim(value) > 0:
        values = np.asarray(value)
        if not per_element:
            raise TypeError(f"{where}: {name} must be a probability in [0, 1] (one number), got shape {values.shape}")
        if values.dtype == bool or not np.issubdtype(values.dtype, np.number):
            raise TypeError(f"{where}: {name} must be probabilities in [0, 1], got dtype {values.dtype}")
        if not np.all((values >= 0.0) & (values <= 1.0)):  # NaN fails both comparisons
            raise ValueError(f"{where}: {name} must be probabilities in [0, 1], got {values.tolist()}")
        return jnp.asarray(values, jnp.float32) if isinstance(value, jax.Array) else values
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a probability in [0, 1] (one number), got {value!r}") from None
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{where}: {name} must be a probability in [0, 1], got {value}")
    return v


def bernoulli(key: jax.Array, p: Any, shape: tuple[int, ...] = ()) -> jax.Array:
    """``jax.random.bernoulli`` for any probability a user may pass: int, float or array.

    jax refuses an integer `p` ("must have a floating dtype"); the draw is the same as for the
    equal float.
    """
    return jax.random.bernoulli(key, jnp.asarray(p, jnp.float32), shape)


def is_number(value: Any) -> bool:
    """A real scalar: a Python int or float, a numpy or concrete jax scalar; not a bool."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, jax.core.Tracer):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    return isinstance(value, (np.ndarray, jax.Array)) and value.ndim == 0 and (
        np.issubdtype(value.dtype, np.integer) or np.issubdtype(value.dtype, np.floating)
    )


def is_int(value: Any) -> bool:
    """A Python or numpy integer (not a bool): what static counts and sizes take."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def refuse_bools(where: str, name: str, value: Any) -> None:
    """Raise TypeError for a bool where a number is meant (alone, in a sequence or as an array):
    ``True == 1`` would pass as a number and usually means a misplaced flag."""
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (list, tuple)) and any(isinstance(v, (bool, np.bool_)) for v in value)):
        raise TypeError(f"{where}: {name} must be numbers, got {value!r}")
    if isinstance(value, (np.ndarray, jax.Array)) and value.dtype == bool:
        raise TypeError(f"{where}: {name} must be numbers, got a bool array")


def check_finite(where: str, name: str, value: Any) -> float:
    """Raise ValueError unless a static number is finite; returns it as a float."""
    if isinstance(value, (bool, np.bool_, str)):
        raise TypeError(f"{where}: {name} must be a number, got {type(value).__name__} {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    return v


def check_range(
    where: str, name: str, value: Any, *, low: float | None = None, high: float | None = None
) -> tuple[float, float]:
    """Check a (min, max) pair: two finite numbers, min <= max, inside [low, high]. Returns floats."""
    if isinstance(value, np.ndarray) and value.shape == (2,):
        value = value.tolist()
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise ValueError(f"{where}: {name} must be a (min, max) pair, got {value!r}")
    lo, hi = check_finite(where, name, value[0]), check_finite(where, name, value[1])
    if lo > hi:
        raise ValueError(f"{where}: {name} must satisfy min <= max, got {value!r}")
    if low is not None and lo < low:
        raise ValueError(f"{where}: {name} must be >= {low}, got {value!r}")
    if high is not None and hi > high:
        raise ValueError(f"{where}: {name} must be <= {high}, got {value!r}")
    return lo, hi


def check_nonnegative(where: str, name: str, value: Any) -> float:
    """Raise ValueError unless a static number is finite and >= 0."""
    v = check_finite(where, name, value)
    if not v >= 0.0:
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value!r}")
    return v


def check_image(where: str, image: Any, physical_units: bool = False) -> None:
    """Raise unless `image` is one (H, W, C) image, uint8 or floating, with H, W, C >= 1.

    With `physical_units`, any real dtype is allowed (a window's input: int16 CT)."""
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
    if looks_channels_first(shape):
        raise ValueError(
            f"{where}: image of shape {tuple(shape)} looks channels-first (C, H, W); jaxaug takes "
            f"Flax's (H, W, C): pass jnp.moveaxis(image, 0, -1), shape {(shape[1], shape[2], shape[0])}"
        )
    dtype = jnp.dtype(image.dtype)
    if physical_units and (jnp.issubdtype(dtype, jnp.integer) or jnp.issubdtype(dtype, jnp.floating)):
        return
    if dtype != jnp.uint8 and not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(
            f"{where}: image dtype must be uint8 (0..255) or floating (0..1), got {dtype}; "
            "map other data (e.g. int16 CT in Hounsfield units) into [0, 1] first with "
            "ja.image.window(image, center, width) or ja.ScaleIntensityRange(a_min, a_max)"
        )


def looks_channels_first(shape: Sequence[int]) -> bool:
    """An (H, W, C) shape whose first axis is 1, 3 or 4 and last axis is larger than 4: almost
    surely a (C, H, W) image, since no clinical or natural image has more channels than rows."""
    return len(shape) == 3 and shape[0] in (1, 3, 4) and shape[2] > 4 and shape[1] > 4


def check_batch_layout_and_dtype(where: str, x: Any) -> None:
    """A batch (N, H, W, C) that looks channels-first is refused, and so is any dtype other than
    uint8 (0..255) or floating (0..1)."""
    if x.ndim == 4 and looks_channels_first(x.shape[1:]):
        raise ValueError(
            f"{where}: x of shape {x.shape} looks channels-first (N, C, H, W); jaxaug takes (N, H, W, C): "
            "pass jnp.moveaxis(x, 1, -1)"
        )
    if not (x.dtype == jnp.uint8 or jnp.issubdtype(x.dtype, jnp.floating)):
        raise TypeError(f"{where}: x must be uint8 (0..255) or floating (0..1), got dtype {x.dtype}")


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
    """A per-channel constant (a number, or one value per channel) as a tuple of length C;
    refused unless every value is finite."""
    values = tuple(float(v) for v in np.atleast_1d(np.asarray(value, dtype=np.float64)))
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{where}: {name} must be finite, got {value!r}")
    if len(values) == 1:
        return values * channels
    if len(values) != channels:
        expected = "1 value" if channels == 1 else f"1 or {channels} values (one per channel)"
        raise ValueError(f"{where}: {name} must have {expected} for a {channels}-channel image, got {len(values)}")
    return values


def fill_values(where: str, name: str, value: Any, channels: int, dtype: Any) -> tuple[float, ...]:
    """A per-channel fill in the units of an input of `dtype`, refused if that dtype cannot hold it.

    One meaning everywhere: a fill is a value of the input image, so 255 is white for uint8 and
    1.0 is white for floats, whatever the interpolation and whether the step is fused.
    """
    dtype = jnp.dtype(dtype)
    if dtype != jnp.bool_:
        refuse_bools(where, name, value)  # fill=True would be 1 (white) for a float image
    values = channel_values(where, name, value, channels)
    for v in values:
        if dtype == jnp.bool_:
            if v not in (0.0, 1.0):
                raise ValueError(f"{where}: {name} must be 0 or 1 (False or True) for a bool input, got {value!r}")
        elif jnp.issubdtype(dtype, jnp.integer):
            info = jnp.iinfo(dtype)
            if v != int(v) or not info.min <= v <= info.max:
                raise ValueError(
                    f"{where}: {name} must be a whole number in [{info.min}, {info.max}] for {dtype} input "
                    f"(the fill is a value of the input image: 255 is white for uint8), got {value!r}"
                )
        elif jnp.issubdtype(dtype, jnp.floating) and abs(v) > float(jnp.finfo(dtype).max):
            raise ValueError(f"{where}: {name} {value!r} does not fit in {dtype}")
    return values


# --- value checks that need data --------------------------------------------------------------

_CHECKED = contextvars.ContextVar("jaxaug_checked", default=False)


def checked(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run `fn` jitted, with jaxaug's value checks raised from inside the compiled code.

    Argument checks always run when a transform is built. Checks that need the data (a float
    image outside [0, 1], a label outside [0, num_classes)) run eagerly on concrete arrays; under
    ``jit`` or ``vmap`` the values are unknown while tracing, so they are skipped unless the
    function is wrapped in ``checked``, which compiles them in with ``jax.experimental.checkify``
    and raises ``ValueError`` after the call. It costs one reduction per check. Pass the
    function itself (a ``jax.jit``-wrapped one is unwrapped); jaxaug's NNX train steps check
    their labels on the host before their own jit, so they need no wrapping.

    Args:
      fn: any function of arrays, e.g. a training step or ``ja.batch(pipeline)``.

    Returns:
      A function with `fn`'s signature and outputs, jit-compiled, that raises ValueError when a
      value check fails.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> augment = ja.checked(ja.batch(ja.ColorJitter(brightness=0.2)))
      >>> ct = jnp.full((2, 8, 8, 1), 400.0)  # Hounsfield units, not [0, 1]
      >>> augment(jax.random.key(0), ct)
      Traceback (most recent call last):
      ...
      ValueError: ColorJitter: float image values must lie in [0, 1] ...
    """
    # A function the caller already jitted keeps its own compiled code, traced without the
    # checks; tracing the function it wraps puts them in, and leaves the caller's cache alone.
    inner = fn
    while hasattr(inner, "__wrapped__") and hasattr(inner, "lower"):
        inner = inner.__wrapped__
    compiled = jax.jit(checkify.checkify(inner, errors=checkify.user_checks))

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        token = _CHECKED.set(True)
        try:
            error, out = compiled(*args, **kwargs)
        finally:
            _CHECKED.reset(token)
        message = error.get()
        if message is not None:
            raise ValueError(re.sub(r" \(`?check`? failed.*$", "", message, flags=re.S))
        return out

    return run


def check_values(where: str, ok: Callable[[], jax.Array], message: str, *arrays: Any) -> None:
    """Raise ValueError(message) if ``ok()`` is False: eagerly when `arrays` are concrete, from
    inside the compiled code under ``ja.checked``, and not at all otherwise (traced, unchecked)."""
    if not any(isinstance(a, jax.core.Tracer) for a in arrays):
        result = ok()
        # Still a tracer: a constant captured by a function being traced, checked like data.
        if not isinstance(result, jax.core.Tracer):
            if not bool(result):
                raise ValueError(f"{where}: {message}")
            return
    if _CHECKED.get():
        checkify.check(ok(), f"{where}: {message}")


# Interpolation never leaves the range of its inputs; a little slack for float rounding.
_UNIT_SLACK = 1e-3


def check_unit_range(where: str, image: Any) -> None:
    """A float image must lie in [0, 1] for ops that clamp to it (colour ops, ColorJitter).

    Non-finite pixels are left to the op (they stay local where it is local); values in
    physical units (Hounsfield, MR intensities) or already normalised are refused with a pointer
    to the window.
    """
    if not jnp.issubdtype(image.dtype, jnp.floating):
        return

    def ok() -> jax.Array:
        finite = jnp.isfinite(image)
        low = jnp.min(jnp.where(finite, image, 0.5))
        high = jnp.max(jnp.where(finite, image, 0.5))
        return (low >= -_UNIT_SLACK) & (high <= 1.0 + _UNIT_SLACK)

    check_values(
        where,
        ok,
        "float image values must lie in [0, 1] (this op clamps to it); for CT or MR in physical "
        "units map a window to [0, 1] first with ja.image.window(image, center, width) or "
        "ja.ScaleIntensityRange(a_min, a_max), and put Normalize after the colour steps",
        image,
    )
