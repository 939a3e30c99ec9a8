"""Pointwise and colour ops on one (H, W, C) image, with torchvision's parameter meanings."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks

# ITU-R 601 luma weights, as torchvision's rgb_to_grayscale uses them.
_GRAY_WEIGHTS = (0.2989, 0.587, 0.114)


def float_dtype(dtype: jnp.dtype) -> jnp.dtype:
    """The float dtype an op returns for input of `dtype`: float32 for uint8, else unchanged."""
    dtype = jnp.dtype(dtype)
    return jnp.dtype(jnp.float32) if dtype == jnp.uint8 else dtype


def to_float(image: ArrayLike) -> jax.Array:
    """Convert an image to floating point in [0, 1]: uint8 is divided by 255, floats pass through.

    Args:
      image: (H, W, C) uint8 or floating image.

    Returns:
      (H, W, C) float32 for uint8 input, otherwise the input unchanged.

    torchvision: ``to_dtype(img, torch.float32, scale=True)`` (``ToTensor`` for uint8).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.to_float(jnp.full((2, 2, 1), 255, jnp.uint8))[0, 0, 0]
      Array(1., dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("to_float", image)
    if image.dtype == jnp.uint8:
        return image.astype(jnp.float32) / 255.0
    return image


def _work(image: jax.Array) -> jax.Array:
    # Arithmetic runs in float32 (or float64), so half-precision inputs keep their accuracy;
    # results are cast back by _done.
    x = to_float(image)
    return x.astype(jnp.float64 if x.dtype == jnp.float64 else jnp.float32)


def _done(result: jax.Array, image: jax.Array) -> jax.Array:
    return result.astype(float_dtype(image.dtype))


def _gray(x: jax.Array) -> jax.Array:
    """(H, W, 1) luma of a float (H, W, 3) image."""
    r, g, b = x[..., 0:1], x[..., 1:2], x[..., 2:3]
    return _GRAY_WEIGHTS[0] * r + _GRAY_WEIGHTS[1] * g + _GRAY_WEIGHTS[2] * b


def _blend(x: jax.Array, other: jax.Array, factor: ArrayLike) -> jax.Array:
    """torchvision's _blend for floats: clamp(factor * x + (1 - factor) * other, 0, 1)."""
    factor = jnp.asarray(factor, x.dtype)
    return jnp.clip(factor * x + (1.0 - factor) * other, 0.0, 1.0)


def rgb_to_grayscale(image: ArrayLike, num_output_channels: int = 1) -> jax.Array:
    """Convert an RGB image to grayscale with ITU-R 601 weights (0.2989, 0.587, 0.114).

    Args:
      image: (H, W, 3) or (H, W, 1) image, uint8 or float. A 1-channel image is already gray.
      num_output_channels: 1 or 3 (static); with 3 the gray channel is repeated.

    Returns:
      (H, W, num_output_channels) float image.

    torchvision: ``rgb_to_grayscale(img, num_output_channels)``. Not dm-pix's
    ``rgb_to_grayscale``: the same weights, but its tensordot ran ~4x slower (benchmarks/DM_PIX.md).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.rgb_to_grayscale(jnp.ones((4, 4, 3))).shape
      (4, 4, 1)
    """
    image = _checks.as_array(image)
    _checks.check_image("rgb_to_grayscale", image)
    if num_output_channels not in (1, 3):
        raise ValueError(f"rgb_to_grayscale: num_output_channels must be 1 or 3, got {num_output_channels!r}")
    channels = image.shape[-1]
    if channels not in (1, 3):
        raise ValueError(f"rgb_to_grayscale: image must have 1 or 3 channels, got {channels}")
    x = _work(image)
    gray = _gray(x) if channels == 3 else x
    return _done(jnp.repeat(gray, num_output_channels, axis=-1), image)


def adjust_brightness(image: ArrayLike, brightness_factor: ArrayLike) -> jax.Array:
    """Scale brightness: ``clip(image * brightness_factor, 0, 1)``.

    Args:
      image: (H, W, C) image, uint8 or float in [0, 1].
      brightness_factor: scalar >= 0, may be traced. 0 gives black, 1 the original.

    Returns:
      (H, W, C) float image.

    torchvision: ``adjust_brightness``. Not dm-pix's ``adjust_brightness``: it adds a delta
    (TensorFlow's meaning); we multiply, as torchvision does, so ported factors mean the same.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.adjust_brightness(jnp.full((2, 2, 3), 0.5), 1.5)[0, 0, 0]
      Array(0.75, dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("adjust_brightness", image)
    _checks.check_unit_range("adjust_brightness", image)
    _check_factor("adjust_brightness", "brightness_factor", brightness_factor)
    x = _work(image)
    return _done(_blend(x, jnp.zeros((), x.dtype), brightness_factor), image)


def adjust_contrast(image: ArrayLike, contrast_factor: ArrayLike) -> jax.Array:
    """Scale contrast: blend the image with the mean of its grayscale version.

    Args:
      image: (H, W, C) image with C in {1, 3}, uint8 or float in [0, 1].
      contrast_factor: scalar >= 0, may be traced. 0 gives a flat gray image, 1 the original.

    Returns:
      (H, W, C) float image.

    torchvision: ``adjust_contrast``. Not dm-pix's: it blends against each channel's own mean
    (TensorFlow's meaning); we use the grayscale mean, as torchvision does, so colours do not shift.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> img = jnp.linspace(0, 1, 12).reshape(2, 2, 3)
      >>> jaxaug.image.adjust_contrast(img, 0.0).std() < 1e-6
      Array(True, dtype=bool)
    """
    image = _checks.as_array(image)
    _checks.check_image("adjust_contrast", image)
    _checks.check_unit_range("adjust_contrast", image)
    _check_color_channels("adjust_contrast", image)
    _check_factor("adjust_contrast", "contrast_factor", contrast_factor)
    x = _work(image)
    return _done(_blend(x, _contrast_reference(x), contrast_factor), image)


def _contrast_reference(x: jax.Array) -> jax.Array:
    gray = _gray(x) if x.shape[-1] == 3 else x
    return jnp.mean(gray)


def adjust_saturation(image: ArrayLike, saturation_factor: ArrayLike) -> jax.Array:
    """Scale saturation: blend the image with its grayscale version.

    Args:
      image: (H, W, C) image with C in {1, 3}, uint8 or float. A gray image is returned as is.
      saturation_factor: scalar >= 0, may be traced. 0 gives gray, 1 the original.

    Returns:
      (H, W, C) float image.

    torchvision: ``adjust_saturation``. Not dm-pix's: it scales HSV saturation (TensorFlow's
    meaning), which differs from torchvision's blend with gray by up to 0.31 (benchmarks/DM_PIX.md).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> img = jnp.array([[[1.0, 0.0, 0.0]]])
      >>> jaxaug.image.adjust_saturation(img, 0.0)[0, 0]
      Array([0.2989, 0.2989, 0.2989], dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("adjust_saturation", image)
    _checks.check_unit_range("adjust_saturation", image)
    _check_color_channels("adjust_saturation", image)
    _check_factor("adjust_saturation", "saturation_factor", saturation_factor)
    x = _work(image)
    if x.shape[-1] == 1:
        return _done(x, image)
    return _done(_blend(x, _gray(x), saturation_factor), image)


def adjust_hue(image: ArrayLike, hue_factor: ArrayLike) -> jax.Array:
    """Shift hue by `hue_factor` turns of the colour wheel, in HSV space.

    Args:
      image: (H, W, C) image with C in {1, 3}, uint8 or float. A gray image is returned as is.
      hue_factor: scalar in [-0.5, 0.5], may be traced. 0 and +-0.5 are a no-op and the
        complementary hue.

    Returns:
      (H, W, C) float image.

    torchvision: ``adjust_hue`` (same HSV conversion). Not dm-pix's ``adjust_hue`` (or its
    ``rgb_to_hsv``/``hsv_to_rgb``): the same values to 1e-6, but 1.15-1.4x slower in our runs
    (benchmarks/DM_PIX.md), and it finds the top channel by ``value == red`` tests (see ``_shift_hue``).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> red = jnp.array([[[1.0, 0.0, 0.0]]])
      >>> jaxaug.image.adjust_hue(red, 1 / 3)[0, 0]  # red turns green
      Array([0., 1., 0.], dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("adjust_hue", image)
    _checks.check_unit_range("adjust_hue", image)
    _check_color_channels("adjust_hue", image)
    if not isinstance(hue_factor, jax.core.Tracer):
        h = np.asarray(hue_factor)
        if h.shape != () or not bool(-0.5 <= h <= 0.5):
            raise ValueError(f"adjust_hue: hue_factor must be a scalar in [-0.5, 0.5], got {hue_factor!r}")
    x = _work(image)
    if x.shape[-1] == 1:
        return _done(x, image)
    return _done(_shift_hue(x, jnp.asarray(hue_factor, x.dtype)), image)


def _shift_hue(x: jax.Array, hue_factor: jax.Array) -> jax.Array:
    """RGB -> HSV, rotate H, HSV -> RGB, following torchvision's formulas elementwise."""
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    # The top channel comes from comparisons, and maxc is read from that channel, so the two
    # always agree: with `maxc == r` tests, XLA may fuse and round a channel differently in two
    # places and then no test holds (seen under jit + vmap). Ties prefer r, then g, as
    # torchvision's tests do.
    top = jnp.where((r >= g) & (r >= b), 0, jnp.where(g >= b, 1, 2))
    maxc = jax.lax.select_n(top, r, g, b)
    minc = jnp.minimum(jnp.minimum(r, g), b)
    eqc = maxc == minc
    cr = maxc - minc
    ones = jnp.ones_like(maxc)
    s = cr / jnp.where(eqc, ones, maxc)
    # One reciprocal shared by the three channel terms: XLA does not duplicate a division
    # into several consumers, so three divisions would each be a stored pass.
    inv_cr = 1.0 / jnp.where(eqc, ones, cr)
    rc = (maxc - r) * inv_cr
    gc = (maxc - g) * inv_cr
    bc = (maxc - b) * inv_cr
    hr = jnp.where(top == 0, bc - gc, 0.0)
    hg = jnp.where(top == 1, 2.0 + rc - bc, 0.0)
    hb = jnp.where(top == 2, 4.0 + gc - rc, 0.0)
    h = jnp.mod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    h = jnp.mod(h + hue_factor, 1.0)
    v = maxc

    i = jnp.floor(h * 6.0)
    f = h * 6.0 - i
    i = jnp.mod(i.astype(jnp.int32), 6)
    p = jnp.clip(v * (1.0 - s), 0.0, 1.0)
    q = jnp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = jnp.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    # Sector i picks (r, g, b) from (v, q, p, t) as in torchvision's _hsv_to_rgb.
    out_r = jnp.select([i == 0, i == 1, i == 2, i == 3, i == 4], [v, q, p, p, t], v)
    out_g = jnp.select([i == 0, i == 1, i == 2, i == 3, i == 4], [t, v, v, q, p], p)
    out_b = jnp.select([i == 0, i == 1, i == 2, i == 3, i == 4], [p, p, t, v, v], q)
    return jnp.stack([out_r, out_g, out_b], axis=-1)


def normalize(image: ArrayLike, mean: Sequence[float] | float, std: Sequence[float] | float) -> jax.Array:
    """Standardise each channel: ``(image - mean[c]) / std[c]``.

    Args:
      image: (H, W, C) image, uint8 (converted to [0, 1] first) or float.
      mean: one value, or one per channel (static).
      std: one value, or one per channel (static), each > 0.

    Returns:
      (H, W, C) float image.

    torchvision: ``normalize(img, mean, std)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.normalize(jnp.ones((2, 2, 1)), mean=[0.5], std=[0.5])[0, 0, 0]
      Array(1., dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("normalize", image)
    channels = image.shape[-1]
    for name, value in (("mean", mean), ("std", std)):
        _checks.refuse_bools("normalize", name, value)
    mean_c = _checks.channel_values("normalize", "mean", mean, channels)
    std_c = _checks.channel_values("normalize", "std", std, channels)
    if any(not s > 0 for s in std_c):
        raise ValueError(f"normalize: std must be > 0 for every channel, got {std!r}")
    x = _work(image)
    m = jnp.asarray(mean_c, x.dtype).reshape(1, 1, channels)
    s = jnp.asarray(std_c, x.dtype).reshape(1, 1, channels)
    return _done((x - m) / s, image)


def erase(
    image: ArrayLike,
    top: ArrayLike,
    left: ArrayLike,
    height: ArrayLike,
    width: ArrayLike,
    value: ArrayLike = 0.0,
) -> jax.Array:
    """Overwrite the box ``[top:top+height, left:left+width]`` with `value`.

    Args:
      image: (H, W, C) image, uint8 or float.
      top, left, height, width: the box in pixels; all may be traced (the box is a mask, so the
        output shape never depends on it). Parts outside the image are ignored.
      value: a scalar, a (C,) vector, or an (H, W, C) array (e.g. noise), in [0, 1] units.

    Returns:
      (H, W, C) float image.

    torchvision: ``erase(img, i, j, h, w, v)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> out = jaxaug.image.erase(jnp.ones((4, 4, 1)), 1, 1, 2, 2, 0.0)
      >>> float(out.sum())
      12.0
    """
    image = _checks.as_array(image)
    _checks.check_image("erase", image)
    box = [jnp.asarray(v, jnp.float32) for v in (top, left, height, width)]
    # A NaN or negative box erased nothing, silently; an empty one (height 0) is a no-op.
    _checks.check_values(
        "erase",
        lambda: jnp.all(jnp.isfinite(jnp.stack(box))) & (box[2] >= 0) & (box[3] >= 0),
        f"top, left, height and width must be finite, with height and width >= 0, got {(top, left, height, width)!r}",
        *box,
    )
    x = _work(image)
    h, w, c = x.shape
    value = jnp.asarray(value, x.dtype)
    if value.ndim == 1:
        if value.shape[0] not in (1, c):
            raise ValueError(f"erase: value must have 1 or {c} entries, got shape {value.shape}")
        value = value.reshape(1, 1, -1)
    elif value.ndim not in (0, 3):
        raise ValueError(f"erase: value must be a scalar, (C,) or (H, W, C), got shape {value.shape}")
    box = box_mask((h, w), top, left, height, width)
    return _done(jnp.where(box[..., None], value, x), image)


def box_mask(shape: tuple[int, int], top: ArrayLike, left: ArrayLike, height: ArrayLike, width: ArrayLike) -> jax.Array:
    """(H, W) bool mask of the box; traced coordinates are fine."""
    rows = jnp.arange(shape[0], dtype=jnp.float32)[:, None]
    cols = jnp.arange(shape[1], dtype=jnp.float32)[None, :]
    top, left, height, width = (jnp.asarray(v, jnp.float32) for v in (top, left, height, width))
    inside_rows = (rows >= top) & (rows < top + height)
    inside_cols = (cols >= left) & (cols < left + width)
    return inside_rows & inside_cols


def gaussian_blur(
    image: ArrayLike, kernel_size: int | Sequence[int], sigma: ArrayLike | Sequence[ArrayLike] | None = None
) -> jax.Array:
    """Blur with a separable Gaussian kernel, reflecting at the border.

    Args:
      image: (H, W, C) image, uint8 or float.
      kernel_size: odd positive int, or (kx, ky) as torchvision orders it (static: it sets the
        work, not the shape).
      sigma: standard deviation > 0, or (sx, sy); may be traced, so a random transform can draw
        it per example. Default as torchvision: ``0.3 * ((k - 1) * 0.5 - 1) + 0.8``.

    Returns:
      (H, W, C) float image.

    torchvision: ``gaussian_blur(img, kernel_size, sigma)``. Not dm-pix's ``gaussian_blur``: it
    pads with zeros where torchvision reflects (borders differ), and ran far slower on CPU.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.gaussian_blur(jnp.ones((8, 8, 3)), 5, 1.0).shape
      (8, 8, 3)
    """
    image = _checks.as_array(image)
    _checks.check_image("gaussian_blur", image)
    kx, ky = _kernel_pair(kernel_size)
    if sigma is None:
        sx, sy = (0.3 * ((k - 1) * 0.5 - 1) + 0.8 for k in (kx, ky))
    elif isinstance(sigma, Sequence):
        if len(sigma) != 2:
            raise ValueError(f"gaussian_blur: sigma must be a number or an (x, y) pair, got {sigma!r}")
        sx, sy = sigma
    else:
        sx = sy = sigma
    for s in (sx, sy):
        if not isinstance(s, jax.core.Tracer) and not 0 < float(s) < float("inf"):
            raise ValueError(f"gaussian_blur: sigma must be > 0, got {sigma!r}")
    h, w, _ = image.shape
    if ky // 2 >= h or kx // 2 >= w:
        raise ValueError(
            f"gaussian_blur: kernel_size {kernel_size!r} needs an image larger than half the kernel "
            f"for reflect padding, got image of height {h} and width {w}"
        )
    x = _work(image)
    x = _blur_axis(x, _gaussian_kernel(ky, sy, x.dtype), axis=0)
    x = _blur_axis(x, _gaussian_kernel(kx, sx, x.dtype), axis=1)
    return _done(x, image)


def _kernel_pair(kernel_size: int | Sequence[int]) -> tuple[int, int]:
    kx, ky = _checks.size_pair("gaussian_blur", "kernel_size", kernel_size)
    if kx % 2 == 0 or ky % 2 == 0:
        raise ValueError(f"gaussian_blur: kernel_size must be odd, got {kernel_size!r}")
    return kx, ky


def _gaussian_kernel(size: int, sigma: ArrayLike, dtype: jnp.dtype) -> jax.Array:
    half = (size - 1) * 0.5
    x = jnp.linspace(-half, half, size, dtype=dtype)
    pdf = jnp.exp(-0.5 * jnp.square(x / jnp.asarray(sigma, dtype)))
    return pdf / jnp.sum(pdf)


def _blur_axis(x: jax.Array, kernel: jax.Array, axis: int) -> jax.Array:
    # A sum of shifted slices: kernels are small, and this stays one fused elementwise pass
    # that vmaps without a convolution's layout shuffles.
    radius = (kernel.shape[0] - 1) // 2
    pad = [(0, 0)] * x.ndim
    pad[axis] = (radius, radius)
    padded = jnp.pad(x, pad, mode="reflect")
    n = x.shape[axis]
    out = jnp.zeros_like(x)
    for i in range(kernel.shape[0]):
        out = out + kernel[i] * jax.lax.slice_in_dim(padded, i, i + n, axis=axis)
    return out


def _check_factor(where: str, name: str, factor: ArrayLike) -> None:
    if isinstance(factor, jax.core.Tracer):
        return
    f = np.asarray(factor)
    # A bool is refused: True == 1 is the identity factor, so the op would silently do nothing.
    if f.shape != () or f.dtype == np.bool_ or not bool(f >= 0) or not bool(np.isfinite(f)):
        raise ValueError(f"{where}: {name} must be a finite scalar >= 0, got {factor!r}")


def _check_color_channels(where: str, image: jax.Array) -> None:
    if image.shape[-1] not in (1, 3):
        raise ValueError(f"{where}: image must have 1 (gray) or 3 (RGB) channels, got {image.shape[-1]}")
