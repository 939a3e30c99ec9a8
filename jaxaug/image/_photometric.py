"""Photometric ops beyond the colour jitter: gamma, additive Gaussian noise, channel order."""

from __future__ import annotations

from collections.abc import Sequence

import dm_pix
import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks
from jaxaug.image._color import _done, _work


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
    image = jnp.asarray(image)
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
    image = jnp.asarray(image)
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
    image = jnp.asarray(image)
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
