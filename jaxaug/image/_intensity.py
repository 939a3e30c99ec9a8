"""Intensity windows: physical units (Hounsfield units, MR intensities) to [0, 1].

jaxaug's colour ops take floats in [0, 1]. Clinical images often arrive in physical units, as
integers (int16 CT) or floats; these ops are how they get there, and they work on any shape
(a slice, a volume, a batch), since they are pointwise.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxaug import _checks


def _real(where: str, image: ArrayLike) -> tuple[jax.Array, jnp.dtype]:
    """The image in float32 (float64 kept) for the arithmetic, and the dtype to return:
    float32 for integers, the input's own float dtype otherwise."""
    image = _checks.as_array(image)
    if not (jnp.issubdtype(image.dtype, jnp.floating) or jnp.issubdtype(image.dtype, jnp.integer)):
        raise TypeError(f"{where}: image must hold real numbers (integer or float), got dtype {image.dtype}")
    out_dtype = image.dtype if jnp.issubdtype(image.dtype, jnp.floating) else jnp.dtype(jnp.float32)
    return image.astype(jnp.float64 if image.dtype == jnp.float64 else jnp.float32), out_dtype


def scale_intensity_range(
    image: ArrayLike,
    a_min: float,
    a_max: float,
    b_min: float = 0.0,
    b_max: float = 1.0,
    clip: bool = False,
) -> jax.Array:
    """Map intensities linearly from [a_min, a_max] to [b_min, b_max], optionally clipping.

    Args:
      image: any shape, integer or float, in physical units (e.g. int16 CT in Hounsfield units).
      a_min, a_max: the input window, a_min < a_max, finite (static).
      b_min, b_max: where the window lands, finite (static); [0, 1] for jaxaug's colour ops.
      clip: clip the output to [b_min, b_max] (static). MONAI's default is False; values
        outside the window then leave [0, 1], and jaxaug's colour ops refuse them.

    Returns:
      Float array of the input's shape: float32 for integer input, else the input's dtype.

    MONAI: ``ScaleIntensityRange(a_min, a_max, b_min, b_max, clip)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> hu = jnp.array([-1000, 40, 400], jnp.int16)
      >>> jaxaug.image.scale_intensity_range(hu, -160.0, 240.0, clip=True)
      Array([0. , 0.5, 1. ], dtype=float32)
    """
    a_min = _checks.check_finite("scale_intensity_range", "a_min", a_min)
    a_max = _checks.check_finite("scale_intensity_range", "a_max", a_max)
    b_min = _checks.check_finite("scale_intensity_range", "b_min", b_min)
    b_max = _checks.check_finite("scale_intensity_range", "b_max", b_max)
    if not a_min < a_max:
        raise ValueError(f"scale_intensity_range: a_min must be < a_max, got a_min={a_min}, a_max={a_max}")
    x, out_dtype = _real("scale_intensity_range", image)
    out = (x - a_min) / (a_max - a_min) * (b_max - b_min) + b_min
    if clip:
        out = jnp.clip(out, min(b_min, b_max), max(b_min, b_max))
    return out.astype(out_dtype)


def window(image: ArrayLike, center: float, width: float) -> jax.Array:
    """A radiology display window: [center - width/2, center + width/2] to [0, 1], clipped.

    Args:
      image: any shape, integer or float, in physical units.
      center, width: the window's level and width in the image's units, width > 0 (static).
        CT examples: lung ``window(ct, -600, 1500)``, soft tissue ``window(ct, 40, 400)``,
        bone ``window(ct, 400, 1800)``.

    Returns:
      Float array of the input's shape, in [0, 1] (NaN stays NaN).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.window(jnp.array([-1000.0, 40.0, 1000.0]), center=40.0, width=400.0)
      Array([0. , 0.5, 1. ], dtype=float32)
    """
    center = _checks.check_finite("window", "center", center)
    width = _checks.check_finite("window", "width", width)
    if not width > 0:
        raise ValueError(f"window: width must be > 0, got {width}")
    return scale_intensity_range(image, center - width / 2.0, center + width / 2.0, 0.0, 1.0, clip=True)
