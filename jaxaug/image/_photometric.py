"""Photometric ops beyond the colour jitter, with torchvision's meanings: the point and
histogram ops of the automatic policies, gamma, additive Gaussian noise and channel order.

``posterize``, ``solarize``, ``equalize``, ``autocontrast``, ``adjust_sharpness`` and ``invert``
take one (H, W, C) image, uint8 (0..255) or floating (0..1), and return floats like every
computing op in :mod:`jaxaug.image` (float32 for uint8 input). A uint8 input gets torchvision's
uint8 meaning: posterize masks bits of the uint8 value, solarize compares with a threshold in
0..255, equalize builds the uint8 histogram, and the results of posterize, solarize, equalize
and invert are torchvision's uint8 results divided by 255, exactly. A float input gets
torchvision's float meaning. autocontrast and adjust_sharpness compute in floats and do not
truncate to the next uint8 level as torchvision's uint8 kernels do (at most 1/255 apart).

The ``*_unit`` forms are jitted (with `uint8_levels` static), so eager calls compile once
rather than op by op. The policies call these ``*_unit`` forms on a float image in [0, 1] with a static
`uint8_levels` flag: True when the policy's input was uint8, so that its ops keep the uint8
meanings.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import dm_pix
import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug.image._color import _check_color_channels, _done, _work

# torchvision's float -> uint8 conversion (to_dtype with scale=True) multiplies by 256 - 1e-3
# and truncates, so 1.0 lands on 255 and every level has an equal share of [0, 1].
_TO_LEVELS = 255.999
_UPPER_TRIANGLE = np.triu(np.ones((256, 256), np.float32))


def _levels(x: jax.Array) -> jax.Array:
    """uint8 levels 0..255 (as floats) of a float image in [0, 1] that came from uint8 data."""
    return jnp.round(x * 255.0)


def _check_unit_image(where: str, image: ArrayLike) -> jax.Array:
    image = _checks.as_array(image)
    _checks.check_image(where, image)
    _checks.check_unit_range(where, image)
    return image


def posterize(image: ArrayLike, bits: ArrayLike) -> jax.Array:
    """Keep the `bits` most significant bits of each value (fewer grey levels).

    Args:
      image: (H, W, C) image, uint8 or float in [0, 1].
      bits: integer in [0, 8]; may be traced (a policy draws it per example). uint8: the value
        is masked, ``v & (0xFF << (8 - bits))``; float: ``min(floor(x * 2**bits), 2**bits - 1)
        / 2**bits``, as torchvision does for each.

    Returns:
      (H, W, C) float image (float32 for uint8, exactly torchvision's uint8 result / 255).

    torchvision: ``posterize(img, bits)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.posterize(jnp.full((1, 1, 1), 255, jnp.uint8), 1)[0, 0, 0] * 255
      Array(128., dtype=float32)
    """
    image = _check_unit_image("posterize", image)
    if not isinstance(bits, jax.core.Tracer):
        b = np.asarray(bits)
        if b.shape != () or not np.issubdtype(b.dtype, np.integer) or not 0 <= int(b) <= 8:
            raise ValueError(f"posterize: bits must be an integer in [0, 8], got {bits!r}")
    return _done(posterize_unit(_work(image), bits, image.dtype == jnp.uint8), image)


@functools.partial(jax.jit, static_argnames="uint8_levels")
def posterize_unit(x: jax.Array, bits: ArrayLike, uint8_levels: bool) -> jax.Array:
    """``posterize`` on a float image in [0, 1]; `uint8_levels` picks the uint8 meaning."""
    bits = jnp.clip(jnp.asarray(bits, jnp.int32), 0, 8)
    if uint8_levels:
        mask = jnp.left_shift(jnp.int32(255), 8 - bits) & 255
        kept = jnp.bitwise_and(_levels(x).astype(jnp.int32), mask)
        # A NaN pixel has no bits; it stays NaN rather than becoming a level.
        return jnp.where(jnp.isnan(x), x, kept.astype(x.dtype) / 255.0)
    levels = jnp.left_shift(jnp.int32(1), bits).astype(x.dtype)
    return jnp.clip(jnp.floor(x * levels), 0.0, levels - 1.0) / levels


def solarize(image: ArrayLike, threshold: ArrayLike) -> jax.Array:
    """Invert every value at or above `threshold`: ``where(v >= threshold, max - v, v)``.

    Args:
      image: (H, W, C) image, uint8 or float in [0, 1].
      threshold: in the input's units (0..255 for uint8, 0..1 for floats), at most that
        maximum; may be traced.

    Returns:
      (H, W, C) float image (float32 for uint8, exactly torchvision's uint8 result / 255).

    torchvision: ``solarize(img, threshold)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> img = jnp.array([[[10], [200]]], jnp.uint8)
      >>> jnp.round(jaxaug.image.solarize(img, 128)[..., 0] * 255)
      Array([[10., 55.]], dtype=float32)
    """
    image = _check_unit_image("solarize", image)
    bound = 255.0 if image.dtype == jnp.uint8 else 1.0
    if not isinstance(threshold, jax.core.Tracer):
        t = np.asarray(threshold)
        if t.shape != () or t.dtype == np.bool_ or not np.isfinite(t) or not t <= bound:
            raise ValueError(
                f"solarize: threshold must be a finite number <= {bound:g} (the maximum of a {image.dtype} "
                f"image; it is in the input's units), got {threshold!r}"
            )
    x = _work(image)
    return _done(solarize_unit(x, jnp.asarray(threshold, x.dtype) / bound, image.dtype == jnp.uint8), image)


@functools.partial(jax.jit, static_argnames="uint8_levels")
def solarize_unit(x: jax.Array, threshold: ArrayLike, uint8_levels: bool) -> jax.Array:
    """``solarize`` on a float image in [0, 1] with `threshold` in [0, 1] units."""
    threshold = jnp.asarray(threshold, x.dtype)
    if uint8_levels:
        v = _levels(x)
        return jnp.where(v >= threshold * 255.0, (255.0 - v) / 255.0, x)
    return jnp.where(x >= threshold, 1.0 - x, x)


def invert(image: ArrayLike) -> jax.Array:
    """Invert the values: ``max - v`` (255 - v for uint8, 1 - x for floats).

    Args:
      image: (H, W, C) image, uint8 or float in [0, 1].

    Returns:
      (H, W, C) float image (float32 for uint8, exactly (255 - v) / 255).

    torchvision: ``invert(img)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.invert(jnp.full((1, 1, 1), 0.25))[0, 0, 0]
      Array(0.75, dtype=float32)
    """
    image = _check_unit_image("invert", image)
    if image.dtype == jnp.uint8:
        return (255.0 - image.astype(jnp.float32)) / 255.0
    return _done(1.0 - _work(image), image)


def autocontrast(image: ArrayLike) -> jax.Array:
    """Stretch each channel so its darkest value becomes 0 and its brightest the maximum.

    A constant channel is left as it is. Non-finite pixels are left out of the minimum and
    maximum (a NaN stays in its pixel).

    Args:
      image: (H, W, C) image with C in {1, 3}, uint8 or float in [0, 1].

    Returns:
      (H, W, C) float image. For uint8 input, torchvision's result before its truncation to
      uint8 (within 1/255 of it).

    torchvision: ``autocontrast(img)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.autocontrast(jnp.array([[[0.2], [0.6]]]))[..., 0]
      Array([[0., 1.]], dtype=float32)
    """
    image = _check_unit_image("autocontrast", image)
    _check_color_channels("autocontrast", image)
    return _done(autocontrast_unit(_work(image)), image)


@jax.jit
def autocontrast_unit(x: jax.Array) -> jax.Array:
    """``autocontrast`` on a float image in [0, 1]."""
    h, w, c = x.shape
    finite = jnp.isfinite(x)

    def per_channel(reduce: Callable[..., jax.Array], values: jax.Array) -> jax.Array:
        # Whole (W * C) rows first, then the W of each channel: reducing (H, W, C) over H and W
        # at once keeps C = 3 accumulators, a serial chain that XLA's CPU backend does not
        # vectorise. The barrier keeps XLA from merging the two reductions back into that one
        # (it did, and AutoContrast cost 6x its elementwise work; issue #13). The minimum and
        # maximum are exact either way.
        rows = jax.lax.optimization_barrier(reduce(values.reshape(h, w * c), axis=0))
        return reduce(rows.reshape(w, c), axis=0).reshape(1, 1, c)

    low = per_channel(jnp.min, jnp.where(finite, x, jnp.inf))
    high = per_channel(jnp.max, jnp.where(finite, x, -jnp.inf))
    flat = ~(high > low)  # constant (or wholly non-finite) channels are left alone
    low = jnp.where(flat, 0.0, low)
    span = jnp.where(flat, 1.0, high - low)
    return jnp.clip((x - low) / span, 0.0, 1.0)


def equalize(image: ArrayLike) -> jax.Array:
    """Equalize each channel's histogram of uint8 levels, with PIL's lookup table.

    Float input is binned to uint8 levels first (``floor(x * 255.999)``, torchvision's
    conversion) and the result is those levels / 255, so it is quantised even where a channel
    is left alone (fewer than 255 pixels off its top level). Non-finite pixels are left out of
    the histogram and stay as they are.

    Args:
      image: (H, W, C) image, uint8 or float in [0, 1].

    Returns:
      (H, W, C) float image (float32 for uint8, exactly torchvision's uint8 result / 255).

    torchvision: ``equalize(img)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> dark = (jnp.arange(512) % 64).astype(jnp.uint8).reshape(16, 32, 1)  # levels 0..63
      >>> out = jaxaug.image.equalize(dark)
      >>> round(float(out.min()) * 255), round(float(out.max()) * 255)
      (0, 255)
    """
    image = _check_unit_image("equalize", image)
    return _done(equalize_unit(_work(image), image.dtype == jnp.uint8), image)


@functools.partial(jax.jit, static_argnames="uint8_levels")
def equalize_unit(x: jax.Array, uint8_levels: bool) -> jax.Array:
    """``equalize`` on a float image in [0, 1]."""
    c = x.shape[-1]
    finite = jnp.isfinite(x)
    levels = _levels(x) if uint8_levels else jnp.floor(jnp.clip(x, 0.0, 1.0) * _TO_LEVELS)
    levels = jnp.where(finite, levels, 0.0).astype(jnp.int32)
    # One 256-bin histogram and one lookup per channel: on XLA's CPU backend a scatter and a
    # gather per channel plane run several times faster than one over channel-offset bins
    # (benchmarks/README.md, issue #13).
    # Non-finite pixels are counted in a 257th bin that is then dropped: adding a constant 1
    # is cheaper than adding a 0/1 weight per pixel.
    bins = jnp.where(finite, levels, 256)
    hist = jnp.stack([jnp.zeros(257, jnp.int32).at[bins[..., i]].add(1)[:256] for i in range(c)])
    # Cumulative counts as a product with a triangular matrix: XLA's CPU backend compiles it
    # several times faster than a cumsum, and float32 counts are exact below 2**24 pixels
    # (HIGHEST: accelerators would otherwise round the counts to TF32 or bfloat16).
    cum = jnp.matmul(hist.astype(jnp.float32), jnp.asarray(_UPPER_TRIANGLE), precision=jax.lax.Precision.HIGHEST)
    cum = cum.astype(jnp.int32)
    # The top level in use: its pixels do not count towards the step (PIL's scheme).
    top = 255 - jnp.argmax(hist[:, ::-1] > 0, axis=1)
    step = (cum[:, -1] - jnp.take_along_axis(hist, top[:, None], axis=1)[:, 0]) // 255
    lut = (cum[:, :-1] + (step // 2)[:, None]) // jnp.maximum(step, 1)[:, None]
    lut = jnp.concatenate([jnp.zeros((c, 1), jnp.int32), jnp.clip(lut, 0, 255)], axis=1)
    # A channel with no step is left at its levels: the identity table.
    lut = jnp.where((step > 0)[:, None], lut, jnp.arange(256, dtype=jnp.int32)).astype(x.dtype) / 255.0
    # Indexing rather than jnp.take: take wraps its gather in a nested jit, and XLA's CPU backend
    # then ran the lookups of a direct equalize() 1.3x slower (issue #13).
    out = jnp.stack([lut[i].at[levels[..., i]].get(mode="clip") for i in range(c)], axis=-1)
    return jnp.where(finite, out, x)


def adjust_sharpness(image: ArrayLike, sharpness_factor: ArrayLike) -> jax.Array:
    """Sharpen or soften: blend the image with a 3x3 smoothed copy of itself.

    ``out = blurred + factor * (image - blurred)`` inside the one-pixel border (which is kept),
    where `blurred` uses the kernel ``[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13``; clipped to the
    value range. For uint8 input the smoothed copy is rounded to uint8 levels, as torchvision's
    uint8 kernel does. Images of height or width <= 2 are returned as they are.

    Args:
      image: (H, W, C) image with C in {1, 3}, uint8 or float in [0, 1].
      sharpness_factor: >= 0, may be traced: 0 gives the smoothed image, 1 the original,
        2 twice as sharp.

    Returns:
      (H, W, C) float image.

    torchvision: ``adjust_sharpness(img, sharpness_factor)``.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> img = jnp.zeros((3, 3, 1)).at[1, 1, 0].set(0.5)
      >>> round(float(jaxaug.image.adjust_sharpness(img, 0.0)[1, 1, 0]), 4)  # 0.5 * 5 / 13
      0.1923
    """
    image = _check_unit_image("adjust_sharpness", image)
    _check_color_channels("adjust_sharpness", image)
    if not isinstance(sharpness_factor, jax.core.Tracer):
        f = np.asarray(sharpness_factor)
        if f.shape != () or f.dtype == np.bool_ or not np.isfinite(f) or not f >= 0:
            raise ValueError(f"adjust_sharpness: sharpness_factor must be a finite scalar >= 0, got {sharpness_factor!r}")
    return _done(adjust_sharpness_unit(_work(image), sharpness_factor, image.dtype == jnp.uint8), image)


@functools.partial(jax.jit, static_argnames="uint8_levels")
def adjust_sharpness_unit(x: jax.Array, factor: ArrayLike, uint8_levels: bool) -> jax.Array:
    """``adjust_sharpness`` on a float image in [0, 1]."""
    h, w, _ = x.shape
    if h <= 2 or w <= 2:
        return x
    factor = jnp.asarray(factor, x.dtype)
    c = x.shape[-1]
    # On (H, W * C) rows, where a pixel's left and right neighbours are C values away: XLA's
    # CPU backend vectorises slices of whole rows, not of a minor axis of 3 (1.6x faster).
    flat = x.reshape(h, w * c)
    # The 3x3 box sum (rows, then columns) plus 4 more of the centre: 1 around, 5 in the middle.
    rows = flat[:, : -2 * c] + flat[:, c:-c] + flat[:, 2 * c :]
    centre = flat[1:-1, c:-c]
    blurred = (rows[:-2] + rows[1:-1] + rows[2:] + 4.0 * centre) / 13.0
    if uint8_levels:
        blurred = jnp.round(blurred * 255.0) / 255.0
    sharpened = jnp.clip(centre + (1.0 - factor) * (blurred - centre), 0.0, 1.0)
    # With factor 1 the smoothed copy has weight 0: a NaN neighbour must not leak in.
    sharpened = jnp.where(factor == 1.0, centre, sharpened)
    return flat.at[1:-1, c:-c].set(sharpened).reshape(h, w, c)


def adjust_gamma(image: ArrayLike, gamma: ArrayLike, gain: ArrayLike = 1) -> jax.Array:
    """Gamma correction: ``clip(gain * image ** gamma, 0, 1)``.

    Args:
      image: (H, W, C) image, uint8 or float in [0, 1].
      gamma: scalar >= 0, may be traced. Below 1 brightens the shadows, above 1 darkens them.
      gain: scalar multiplier, may be traced.

    Returns:
      (H, W, C) float image (float32 for uint8 input).

    torchvision: ``adjust_gamma(img, gamma, gain=1)``. For uint8 input torchvision returns uint8,
    ``floor(255.999 * y)``; jaxaug returns the float ``y`` (uint8 in, float out). The power runs
    through ``dm_pix.adjust_gamma`` (same values, same speed: benchmarks/DM_PIX.md), which clips
    the input to [0, 1] first, so values a little outside it (interpolation overshoot) give no
    NaN; jaxaug then clamps the result, as torchvision does when gain != 1.

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> jaxaug.image.adjust_gamma(jnp.full((2, 2, 1), 0.25), 0.5)[0, 0, 0]
      Array(0.5, dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("adjust_gamma", image)
    _checks.check_unit_range("adjust_gamma", image)
    if not isinstance(gamma, jax.core.Tracer):
        g = np.asarray(gamma)
        if g.shape != () or g.dtype == np.bool_ or not bool(np.isfinite(g)) or not bool(g >= 0):
            raise ValueError(f"adjust_gamma: gamma must be a finite scalar >= 0, got {gamma!r}")
    if not isinstance(gain, jax.core.Tracer):
        k = np.asarray(gain)
        if k.shape != () or k.dtype == np.bool_ or not bool(np.isfinite(k)):
            raise ValueError(f"adjust_gamma: gain must be a finite scalar, got {gain!r}")
    x = _work(image)
    return _done(jnp.clip(dm_pix.adjust_gamma(x, gamma, gain=gain), 0.0, 1.0), image)


def gaussian_noise(
    key: jax.Array, image: ArrayLike, *, mean: ArrayLike = 0.0, sigma: ArrayLike = 0.1, clip: bool = True
) -> jax.Array:
    """Add Gaussian noise ``N(mean, sigma**2)`` to every pixel, then clamp to [0, 1] if `clip`.

    Args:
      key: PRNG key the noise is drawn from (typed or legacy; the same bits either way).
      image: (H, W, C) image, uint8 (converted to [0, 1] first) or float.
      mean, sigma: in [0, 1] units whatever the dtype (0.1 is 25.5 grey levels of a uint8
        image); sigma >= 0; both may be traced.
      clip: clamp the result to [0, 1] (static). With ``clip=True`` a float input must lie in
        [0, 1]; with ``clip=False`` any float input is taken as is.

    Returns:
      (H, W, C) float image (float32 for uint8 input).

    torchvision: ``gaussian_noise(img, mean=0.0, sigma=0.1, clip=True)``, which draws from
    torch's global generator; here the key is explicit and first, as in every jaxaug random
    function (``ja.GaussianNoise`` passes the one it drew). uint8 input is not quantised:
    torchvision adds noise truncated to whole grey levels and returns uint8 (wrapping around
    with ``clip=False``); jaxaug returns floats, which never wrap.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug
      >>> out = jaxaug.image.gaussian_noise(jax.random.key(0), jnp.full((64, 64, 1), 0.5), sigma=0.1)
      >>> bool(abs(out.std() - 0.1) < 0.01)
      True
    """
    _checks.check_key("gaussian_noise", key)
    image = _checks.as_array(image)
    _checks.check_image("gaussian_noise", image)
    if not isinstance(clip, bool):
        raise TypeError(f"gaussian_noise: clip must be True or False, got {clip!r}")
    if not isinstance(mean, jax.core.Tracer):
        _checks.check_finite("gaussian_noise", "mean", mean)
    if not isinstance(sigma, jax.core.Tracer):
        _checks.check_nonnegative("gaussian_noise", "sigma", sigma)
    if clip:
        _checks.check_unit_range("gaussian_noise", image)
    x = _work(image)
    # Drawn flat and reshaped: the same values as a (H, W, C) draw, compiled far faster on CPU
    # for a short channel axis (see jaxaug._base.normal_noise; image/ does not import _base).
    standard = jax.random.normal(key, (x.size,), x.dtype).reshape(x.shape)
    noise = jnp.asarray(mean, x.dtype) + standard * jnp.asarray(sigma, x.dtype)
    out = x + noise
    if clip:
        out = jnp.clip(out, 0.0, 1.0)
    return _done(out, image)


def permute_channels(image: ArrayLike, permutation: ArrayLike | Sequence[int]) -> jax.Array:
    """Reorder the channels: output channel ``i`` is input channel ``permutation[i]``.

    Args:
      image: (H, W, C) image, uint8 or float.
      permutation: C distinct channel indices; a sequence (checked) or an integer array, which
        may be traced (e.g. drawn per example; checked eagerly and under ``ja.checked``).

    Returns:
      (H, W, C) image, same dtype: an exact reindexing.

    torchvision: ``permute_channels(img, permutation)``, whose code computes
    ``img[..., permutation, :, :]`` as here (its docstring describes the inverse mapping; the
    recorded reference follows the code).

    Example:
      >>> import jax.numpy as jnp, jaxaug
      >>> rgb = jnp.array([[[0.1, 0.2, 0.3]]])
      >>> jaxaug.image.permute_channels(rgb, [2, 0, 1])[0, 0]
      Array([0.3, 0.1, 0.2], dtype=float32)
    """
    image = _checks.as_array(image)
    _checks.check_image("permute_channels", image)
    channels = image.shape[-1]
    if isinstance(permutation, Sequence) and not isinstance(permutation, str):
        if not all(_checks.is_int(i) for i in permutation) or sorted(int(i) for i in permutation) != list(range(channels)):
            raise ValueError(
                f"permute_channels: permutation must hold each channel index 0..{channels - 1} once, got {permutation!r}"
            )
    perm = jnp.asarray(permutation)
    if perm.shape != (channels,) or not jnp.issubdtype(perm.dtype, jnp.integer):
        raise ValueError(
            f"permute_channels: permutation must be {channels} integer channel indices, got shape {perm.shape} "
            f"and dtype {perm.dtype}"
        )
    _checks.check_values(
        "permute_channels",
        lambda: jnp.all(jnp.sort(perm) == jnp.arange(channels, dtype=perm.dtype)),
        f"permutation must hold each channel index 0..{channels - 1} once",
        perm,
    )
    return jnp.take(image, perm, axis=-1, mode="clip")
