"""What every random transform shares: draw parameters from a key, then apply them.

A transform is a frozen dataclass with

- ``sample(key, shape) -> params``: a small pytree of arrays drawn from `key` for an input of
  static `shape`;
- ``apply(params, image, mask=None)``: deterministic, so a draw can be logged, replayed on a
  segmentation mask, or inverted;
- ``output_shape(shape)``: the static output shape;
- ``__call__(key, image, mask=None)``: the two together;
- ``map_targets(params, shape, targets)``: move bounding boxes and keypoints as ``apply``
  moves pixels (see ``_targets``); given ``boxes=`` or ``keypoints=``, ``apply`` and
  ``__call__`` return a ``Sample(image, mask, boxes, keypoints)``.

Geometric transforms also give ``matrix(params, shape)``, the 3x3 map from output pixels to
input points, which is how ``Compose`` fuses neighbouring geometric steps into one resample.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxaug import _checks, _targets
from jaxaug.image._color import float_dtype, to_float
from jaxaug.image._geometry import resample

Params = Any
Shape = tuple[int, ...]


class Transform:
    """Base of all random transforms; see the module docstring for the protocol."""

    is_geometric = False
    # True for steps that clamp float images to [0, 1] (the colour ops): `ja.batch` then checks
    # a concrete float batch once, where the per-example check inside vmap cannot see values.
    clamps_to_unit_range = False
    # True for steps that take any real dtype in physical units (intensity windows).
    accepts_physical_units = False
    # True for steps after which a uint8 input is in float units (ToFloat, Normalize, windows):
    # later fills are float values.
    converts_to_float_units = False
    # Non-empty for steps whose float output may leave [0, 1] (Normalize, an unclipped window),
    # naming the step for the message: a clamping colour step after one is refused when the
    # Compose is built.
    leaves_unit_range = ""
    # Fields holding values of the input image besides a geometric step's fill (a solarize
    # threshold, a policy's fill): like fills, Compose gives them in float units once a uint8
    # input has become float.
    input_unit_fields: tuple[str, ...] = ()

    def sample(self, key: jax.Array, shape: Shape) -> Params:
        """Draw this transform's parameters for one input of `shape` (no randomness: ``()``)."""
        return ()

    def output_shape(self, shape: Shape) -> Shape:
        """The static output shape for an input of `shape`."""
        return tuple(shape)

    def describe(self, params: Params, shape: Shape) -> dict[str, jax.Array]:
        """Drawn `params` for an input of `shape` in human units, for logs (see ``ja.describe``).

        By default the params' fields by name (``"angle"``), short vectors one entry per value
        (``"order[0]"``); keys and arrays of more than 16 values (noise) are left out.
        """
        return describe_fields(params)

    def fuses(self, shape: Shape) -> bool:
        """Whether Compose may fold this step into a neighbouring geometric resample."""
        return self.is_geometric

    def apply_pair(self, params: Params, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        """Apply drawn `params` to an image and, when given, its mask; returns both."""
        raise NotImplementedError

    def map_targets(self, params: Params, shape: Shape, targets: _targets.Targets) -> _targets.Targets:
        """Move boxes and keypoints as ``apply`` moves pixels: unchanged by steps that move none."""
        if self.is_geometric:
            raise ValueError(
                f"{type(self).__name__}: cannot carry boxes or keypoints: it moves pixels without a matrix"
            )
        return targets

    def apply(
        self, params: Params, image: ArrayLike, mask: ArrayLike | None = None, *, boxes: Any = None, keypoints: Any = None
    ) -> Any:
        """Apply drawn `params`: returns the image, or ``(image, mask)`` when a mask is given, or a
        ``Sample(image, mask, boxes, keypoints)`` when boxes or keypoints are given."""
        name = type(self).__name__
        image = _checks.as_array(image)
        _checks.check_image(name, image, self.accepts_physical_units)
        if mask is not None:
            mask = _checks.as_array(mask)
            _checks.check_mask(name, mask, image.shape)
        if boxes is None and keypoints is None:
            out, out_mask = self.apply_pair(params, image, mask)
            return out if mask is None else (out, out_mask)
        targets = _targets.check_targets(name, boxes, keypoints)
        out, out_mask = self.apply_pair(params, image, mask)
        targets = _targets.sanitize(self.map_targets(params, tuple(image.shape), targets), out.shape[:2])
        return _targets.Sample(out, out_mask, targets.boxes, targets.keypoints)

    def __call__(
        self, key: jax.Array, image: ArrayLike, mask: ArrayLike | None = None, *, boxes: Any = None, keypoints: Any = None
    ) -> Any:
        """Draw parameters from `key` and apply them: returns what ``apply`` returns."""
        name = type(self).__name__
        _checks.check_key(name, key)
        image = _checks.as_array(image)
        _checks.check_image(name, image, self.accepts_physical_units)
        if boxes is None and keypoints is None:
            return self.apply(self.sample(key, image.shape), image, mask)
        return self.apply(self.sample(key, image.shape), image, mask, boxes=boxes, keypoints=keypoints)


class GeometricTransform(Transform):
    """A transform that moves pixels: defined by a matrix, carried to masks by nearest neighbour.

    Subclasses set `interpolation`, `border` ("fill" or "edge"), `fill` and `mask_fill`
    (attributes or dataclass fields) and define ``matrix`` and ``output_shape``.
    """

    is_geometric = True
    # True for maps without rotation or shear (crops, resizes, flips): resampled separably.
    axis_aligned = False
    # True for homographies (perspective): the resampler divides by the third coordinate.
    projective = False
    interpolation = "bilinear"
    border = "edge"
    fill: Any = 0.0
    mask_fill: Any = 0

    def matrix(self, params: Params, shape: Shape) -> jax.Array:
        """(3, 3) map from output pixel (x, y, 1) to input point (x, y, 1)."""
        raise NotImplementedError

    def is_identity(self, shape: Shape) -> bool:
        """Whether this step leaves an input of `shape` as it is, whatever it draws (a Resize to
        the size the image has): a fused group then takes its settings from the other steps."""
        return False

    def map_targets(self, params: Params, shape: Shape, targets: _targets.Targets) -> _targets.Targets:
        try:
            matrix = self.matrix(params, shape)
        except NotImplementedError:
            raise ValueError(
                f"{type(self).__name__}: cannot carry boxes or keypoints: it moves pixels without a matrix"
            ) from None
        return _targets.move(targets, matrix, self.output_shape(shape)[:2])

    def fill_frames(self, params: Params, shape: Shape) -> list[tuple[jax.Array, tuple[int, int]]]:
        """Where this step fills: ``(matrix, (h, w))`` pairs, output pixels to a filling step's
        own input of size (h, w); empty for steps that repeat the border."""
        if self.border != "fill":
            return []
        return [(self.matrix(params, shape), (shape[0], shape[1]))]

    def apply_pair(self, params: Params, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        return warp_pair(
            image,
            mask,
            self.matrix(params, image.shape),
            self.output_shape(image.shape)[:2],
            interpolation=self.interpolation,
            border=self.border,
            fill=self.fill,
            mask_fill=self.mask_fill,
            separable=self.axis_aligned,
            where=type(self).__name__,
            fill_frames=self.fill_frames(params, image.shape),
            projective=self.projective,
        )


def warp_pair(
    image: jax.Array,
    mask: jax.Array | None,
    matrix: jax.Array,
    size: tuple[int, int],
    *,
    interpolation: str,
    border: str,
    fill: Any,
    mask_fill: Any,
    separable: bool = False,
    where: str = "warp",
    fill_frames: list[tuple[jax.Array, tuple[int, int]]] | None = None,
    projective: bool = False,
) -> tuple[jax.Array, jax.Array | None]:
    """Resample an image and its mask through one matrix: the mask by nearest neighbour.

    `fill` is a value of the input image (255 is white for uint8, 1.0 for floats), the same for
    every interpolation; `mask_fill` a value of the mask.
    """
    # One geometry for both: the same map, border, fill frames and separability.
    same = {"border": border, "separable": separable, "where": where, "fill_frames": fill_frames, "projective": projective}
    out = resample(image, matrix, size, interpolation=interpolation, fill=fill, **same)
    out = to_float(out).astype(float_dtype(image.dtype))
    if mask is None:
        return out, None
    out_mask = resample(mask, matrix, size, interpolation="nearest", fill=mask_fill, fill_name="mask_fill", **same)
    return out, out_mask


class PixelTransform(Transform):
    """A transform that changes values, not positions: masks pass through untouched."""

    def apply_image(self, params: Params, image: jax.Array) -> jax.Array:
        raise NotImplementedError

    def apply_pair(self, params: Params, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        return self.apply_image(params, image), mask


def split_key(key: jax.Array, num: int) -> tuple[jax.Array, ...]:
    """Split once; the parts are never reused for another draw (CONVENTIONS rule 2).

    The same keys as ``jax.random.split(key, num)``, split at the next power of two and cut,
    which XLA's CPU backend compiles faster (see `uniform_vector`).
    """
    return tuple(jax.random.split(key, _power_of_two_at_least(num))[:num])


def uniform_vector(key: jax.Array, size: int, minval: float = 0.0, maxval: float = 1.0) -> jax.Array:
    """``jax.random.uniform(key, (size,), minval=minval, maxval=maxval)``, value for value.

    Threefry numbers elements by their index, so a longer draw cut to `size` is the same draw.
    It is taken at the next power of two because XLA's CPU backend compiles the threefry loop
    for lengths like 10 about 3x more slowly: under vmap, one (10,) draw cost 1.7 s of compile
    CPU time and a (16,) draw cut to 10 cost 0.6 s.
    """
    return jax.random.uniform(key, (_power_of_two_at_least(size),), minval=minval, maxval=maxval)[:size]


def _power_of_two_at_least(n: int) -> int:
    return 1 << max(n - 1, 0).bit_length()


def normal_noise(key: jax.Array, shape: tuple[int, ...], dtype: Any) -> jax.Array:
    """``jax.random.normal(key, shape, dtype)``, value for value, drawn flat and reshaped.

    Threefry numbers an array's elements in row-major order, so the flat draw is the same;
    XLA's CPU backend compiles the draw's loop over a short minor axis (12 leads, 3 colours)
    far more slowly: 2.3 s against 0.34 s for a batch of (5000, 12) ECGs.
    """
    return jax.random.normal(key, (math.prod(shape),), dtype).reshape(shape)


_THREEFRY_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def _threefry2x32(key0: jax.Array, key1: jax.Array, x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Threefry-2x32, 20 rounds (Salmon et al., SC 2011), on uint32 arrays: the block cipher
    behind ``jax.random``, written out so XLA's CPU backend vectorises it (see
    ``fast_normal_noise``); ``jax.extend.random.threefry_2x32`` gives the same words."""
    keys = (key0, key1, key0 ^ key1 ^ jnp.uint32(0x1BD11BDA))
    x0, x1 = x0 + keys[0], x1 + keys[1]
    for i in range(5):
        for r in _THREEFRY_ROTATIONS[i % 2]:
            x0 = x0 + x1
            x1 = x0 ^ ((x1 << jnp.uint32(r)) | (x1 >> jnp.uint32(32 - r)))
        x0 = x0 + keys[(i + 1) % 3]
        x1 = x1 + keys[(i + 2) % 3] + jnp.uint32(i + 1)
    return x0, x1


def _threefry_key_data(key: jax.Array) -> jax.Array | None:
    """The uint32[2] threefry key of a typed or legacy key; None for another PRNG (rbg)."""
    if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
        if str(jax.random.key_impl(key)) != "threefry2x32":
            return None
        return jax.random.key_data(key)
    return key if key.shape == (2,) and key.dtype == jnp.uint32 else None


def fast_normal_noise(key: jax.Array, shape: tuple[int, ...], dtype: Any) -> jax.Array:
    """Standard normal noise of `shape` from `key`, using both words of every threefry block.

    Float32 (and narrower float) noise: ``sqrt(2) * erfinv(u)`` with u uniform on (-1, 1) from
    the top 23 bits of one 32-bit word per value, as ``jax.random.normal``; the words are
    ``jax.extend.random.threefry_2x32(key_data, arange(n))``: n words from n / 2 blocks, the
    stream ``jax.random.normal(key, (n,))`` gives with ``jax_threefry_partitionable=False``
    (JAX's default, True, spends one block per word). The global flag is left alone. A typed
    key and its legacy ``uint32[2]`` data give the same noise. The values differ from
    ``normal_noise``'s; other PRNGs (``impl="rbg"``) and float64 fall back to it.

    Why: on a CPU the noise of a 96^3 volume cost 17 ms with ``jax.random.normal``; half the
    blocks, and the cipher written out so XLA vectorises it, cut that to 5.6 ms.
    """
    data = _threefry_key_data(key)
    size = math.prod(shape)
    if data is None or jnp.dtype(dtype).itemsize > 4 or size >= 2**32:
        return normal_noise(key, shape, dtype)
    half = (size + 1) // 2
    per_step = -(-half // 2)
    # Block numbers, run as a loop of two steps: a loop keeps the cipher out of its consumer's
    # fusion. Fused into a resample's gather loop it ran unvectorised, once per word (the
    # benchmark's 3-D pipeline took 62 CPU ms per volume instead of 25).
    first = jax.lax.iota(jnp.uint32, 2 * per_step).reshape(2, per_step)
    second = first + jnp.uint32(half)
    if size % 2:
        # threefry_2x32 pads an odd count with a 0 word; the same here, so the streams agree.
        second = jnp.where(second < size, second, jnp.uint32(0))
    x0, x1 = jax.lax.map(lambda blocks: _threefry2x32(data[0], data[1], *blocks), (first, second))
    # Stacked, not concatenated: the same word order, and XLA's CPU backend fuses it.
    bits = jnp.stack([x0.reshape(-1)[:half], x1.reshape(-1)[:half]]).reshape(-1)[:size]
    floats = jax.lax.bitcast_convert_type((bits >> jnp.uint32(9)) | jnp.uint32(0x3F800000), jnp.float32) - 1.0
    low = np.nextafter(np.float32(-1.0), np.float32(0.0))
    uniform = jnp.maximum(low, floats * (np.float32(1.0) - low) + low)
    return (np.float32(np.sqrt(2.0)) * jax.lax.erf_inv(uniform)).astype(dtype).reshape(shape)


# Arrays with more values than this (noise, displacement fields) are not described.
_DESCRIBED_SIZE = 16


def describe_fields(params: Params) -> dict[str, jax.Array]:
    """A pytree of drawn parameters as flat name -> scalar entries (see ``Transform.describe``)."""
    out = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
        name = ".".join(str(getattr(p, "name", getattr(p, "key", getattr(p, "idx", p)))) for p in path)
        leaf = jnp.asarray(leaf)
        if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key) or name.endswith("key") or leaf.size > _DESCRIBED_SIZE:
            continue
        if leaf.ndim == 0:
            out[name] = leaf
        else:
            out.update((f"{name}[{i}]", v) for i, v in enumerate(leaf.ravel()))
    return out
