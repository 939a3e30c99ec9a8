"""The automatic augmentation policies: AutoAugment, RandAugment, TrivialAugmentWide, AugMix.

Each policy draws, per example, which operations run and at what magnitude (and sign), and
applies them with static shapes: an operation is a ``lax.switch`` over the policy's table
(under ``vmap`` every branch runs, as with any per-example branch in JAX), and a policy's slots
are a ``lax.scan`` (up to two are unrolled), so one compiled ``ja.batch(policy)`` gives every
example its own draw. Under ``vmap`` the geometric operations share one resample through a
drawn matrix; one example at a time, translations and shears (nearest) move whole lines in a
branch each, the same pixels at half the cost. On a CPU use ``ja.batch(policy, chunk_size=1)``:
examples then run one at a time without vmap and each runs only its drawn operations
(RandAugment: 60 CPU ms per 128 images of 224x224 on one core against 1,236 under vmap on
two; each operation's cost is in benchmarks/README.md).

These are natural-image tools. Solarize, posterize, equalize, autocontrast and invert change
the grey levels a reader interprets (density on a radiograph, stain intensity on a slide), and
the large shears, translations and rotations move anatomy out of the frame; the chest X-ray and
histopathology presets use none of the policies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import functools
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxaug import _checks
from jaxaug._base import Shape, Transform, split_key, uniform_vector
from jaxaug._image_transforms import _check_fill, _check_interpolation, _freeze
from jaxaug.image import _color, _geometry, _photometric

_GEOMETRIC = ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate")
_SIGNED = _GEOMETRIC + ("Brightness", "Color", "Contrast", "Sharpness")
# The geometric ops that move pixels along one axis (1: x, 0: y), by whole lines with nearest.
_LINE_AXIS = {"ShearX": 1, "TranslateX": 1, "ShearY": 0, "TranslateY": 0}

# The operation tables, in torchvision's order (a draw's `op` indexes them).
_RAND_OPS = (
    "Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
    "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize",
)  # fmt: skip
_AUTO_OPS = _RAND_OPS[1:] + ("Invert",)
_AUGMIX_PARTIAL_OPS = (
    "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Posterize", "Solarize", "AutoContrast", "Equalize",
)  # fmt: skip
_AUGMIX_OPS = _AUGMIX_PARTIAL_OPS + ("Brightness", "Color", "Contrast", "Sharpness")

# AutoAugment's learned sub-policies (Cubuk et al. 2019, as torchvision lists them): two
# (operation, probability, magnitude bin of 10) steps each; None where the op has no magnitude.
_SUB_POLICIES = {
    "imagenet": (
        (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)), (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)), (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)), (("Equalize", 0.4, None), ("Rotate", 0.8, 8)),
        (("Solarize", 0.6, 3), ("Equalize", 0.6, None)), (("Posterize", 0.8, 5), ("Equalize", 1.0, None)),
        (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)), (("Equalize", 0.6, None), ("Posterize", 0.4, 6)),
        (("Rotate", 0.8, 8), ("Color", 0.4, 0)), (("Rotate", 0.4, 9), ("Equalize", 0.6, None)),
        (("Equalize", 0.0, None), ("Equalize", 0.8, None)), (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)), (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
        (("Color", 0.8, 8), ("Solarize", 0.8, 7)), (("Sharpness", 0.4, 7), ("Invert", 0.6, None)),
        (("ShearX", 0.6, 5), ("Equalize", 1.0, None)), (("Color", 0.4, 0), ("Equalize", 0.6, None)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)), (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)), (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
    ),
    "cifar10": (
        (("Invert", 0.1, None), ("Contrast", 0.2, 6)), (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
        (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)), (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.5, None), ("Equalize", 0.9, None)), (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
        (("Color", 0.4, 3), ("Brightness", 0.6, 7)), (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
        (("Equalize", 0.6, None), ("Equalize", 0.5, None)), (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
        (("Color", 0.7, 7), ("TranslateX", 0.5, 8)), (("Equalize", 0.3, None), ("AutoContrast", 0.4, None)),
        (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)), (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
        (("Solarize", 0.5, 2), ("Invert", 0.0, None)), (("Equalize", 0.2, None), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.2, None), ("Equalize", 0.6, None)), (("Color", 0.9, 9), ("Equalize", 0.6, None)),
        (("AutoContrast", 0.8, None), ("Solarize", 0.2, 8)), (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
        (("Solarize", 0.4, 5), ("AutoContrast", 0.9, None)), (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.9, None), ("Solarize", 0.8, 3)), (("Equalize", 0.8, None), ("Invert", 0.1, None)),
        (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, None)),
    ),
    "svhn": (
        (("ShearX", 0.9, 4), ("Invert", 0.2, None)), (("ShearY", 0.9, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.6, None), ("Solarize", 0.6, 6)), (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)), (("ShearX", 0.9, 4), ("AutoContrast", 0.8, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.4, None)), (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
        (("Invert", 0.9, None), ("AutoContrast", 0.8, None)), (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)), (("ShearY", 0.8, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.9, None), ("TranslateY", 0.6, 6)), (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)), (("Invert", 0.8, None), ("TranslateY", 0.0, 2)),
        (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)), (("Invert", 0.6, None), ("Rotate", 0.8, 4)),
        (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)), (("ShearX", 0.1, 6), ("Invert", 0.6, None)),
        (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)), (("ShearY", 0.8, 4), ("Invert", 0.8, None)),
        (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)), (("ShearY", 0.8, 5), ("AutoContrast", 0.7, None)),
        (("ShearX", 0.7, 2), ("Invert", 0.1, None)),
    ),
}  # fmt: skip


def magnitude_table(ops: Sequence[str], scale: str, num_bins: int, height: int, width: int) -> np.ndarray:
    """(len(ops), num_bins) float32: each op's magnitudes by bin (0 for ops without one).

    `scale` is the policy family: "rand" (AutoAugment, RandAugment), "wide" (TrivialAugmentWide)
    or "augmix", whose ranges differ.
    """
    top = {
        "rand": {
            "Shear": 0.3, "TranslateX": 150.0 / 331.0 * width, "TranslateY": 150.0 / 331.0 * height, "Rotate": 30.0, "Enhance": 0.9,
        },  # fmt: skip
        "wide": {"Shear": 0.99, "TranslateX": 32.0, "TranslateY": 32.0, "Rotate": 135.0, "Enhance": 0.99},
        "augmix": {"Shear": 0.3, "TranslateX": width / 3.0, "TranslateY": height / 3.0, "Rotate": 30.0, "Enhance": 0.9},
    }[scale]
    # Bits fall from 8 (from 4 for AugMix) by 4 (6 for TrivialAugmentWide) over the bins.
    bits_start, bits_drop = {"rand": (8, 4), "wide": (8, 6), "augmix": (4, 4)}[scale]
    rows = []
    for op in ops:
        if op in ("ShearX", "ShearY"):
            row = np.linspace(0.0, top["Shear"], num_bins)
        elif op in ("TranslateX", "TranslateY", "Rotate"):
            row = np.linspace(0.0, top[op], num_bins)
        elif op in ("Brightness", "Color", "Contrast", "Sharpness"):
            row = np.linspace(0.0, top["Enhance"], num_bins)
        elif op == "Posterize":
            step = np.float32((num_bins - 1) / bits_drop)
            row = np.round(bits_start - np.arange(num_bins, dtype=np.float32) / step)
        elif op == "Solarize":
            row = np.linspace(1.0, 0.0, num_bins)
        else:
            row = np.zeros(num_bins)
        rows.append(row)
    return np.asarray(rows, np.float32).reshape(len(ops), num_bins)


# --- applying one drawn operation -----------------------------------------------------------


def _op_matrix(op: str, magnitude: jax.Array, height: int, width: int) -> jax.Array:
    """The output -> input map of a geometric policy op at a signed magnitude, as torchvision's
    policies call ``affine`` and ``rotate``: shears about the top-left corner (by
    atan(magnitude)), translations by whole pixels (truncated towards zero)."""
    zero = jnp.float32(0)
    if op == "Rotate":
        return _geometry.rotation_matrix(magnitude, height, width)
    if op in ("ShearX", "ShearY"):
        shear = jnp.rad2deg(jnp.arctan(magnitude))
        shear_xy = (shear, zero) if op == "ShearX" else (zero, shear)
        return _geometry.affine_matrix(zero, (zero, zero), 1.0, shear_xy, (zero, zero), height, width)
    pixels = jnp.trunc(magnitude)
    translate = (pixels, zero) if op == "TranslateX" else (zero, pixels)
    return _geometry.affine_matrix(zero, translate, 1.0, (zero, zero), None, height, width)


def _mean_gray(x: jax.Array) -> jax.Array:
    """The mean luma of an (H, W, C) float image: each channel's sum, weighted. On XLA's CPU
    backend 3x faster than a gray plane and its mean (one image at a time, issue #13): the sums
    run over whole (W * C) rows first, and a barrier keeps XLA from merging that back into one
    reduction with 3 accumulators. The sum's order differs, so the mean may differ by an ulp.
    HIGHEST keeps the product in float32 where accelerators would round its inputs (TF32,
    bfloat16)."""
    h, w, c = x.shape
    rows = jax.lax.optimization_barrier(jnp.sum(x.reshape(h, w * c), axis=0))
    channel_sums = jnp.sum(rows.reshape(w, c), axis=0)
    if c == 1:
        return channel_sums[0] / (h * w)
    weights = jnp.asarray(_color._GRAY_WEIGHTS, x.dtype)
    return jnp.dot(channel_sums, weights, precision=jax.lax.Precision.HIGHEST) / (h * w)


def _point_op(op: str, uint8_levels: bool, x: jax.Array, magnitude: jax.Array) -> jax.Array:
    """A photometric policy op on a float image in [0, 1] at a signed magnitude."""
    factor = 1.0 + magnitude.astype(x.dtype)
    color = x.shape[-1] == 3
    gray = _color._gray(x) if color else x
    if op == "Brightness":
        return _color._blend(x, jnp.zeros((), x.dtype), factor)
    if op == "Color":
        return _color._blend(x, gray, factor) if color else x
    if op == "Contrast":
        return _color._blend(x, _mean_gray(x), factor)
    if op == "Sharpness":
        return _photometric.adjust_sharpness_unit(x, factor, uint8_levels)
    if op == "Posterize":
        return _photometric.posterize_unit(x, magnitude.astype(jnp.int32), uint8_levels)
    if op == "Solarize":
        return _photometric.solarize_unit(x, magnitude, uint8_levels)
    if op == "AutoContrast":
        return _photometric.autocontrast_unit(x)
    if op == "Equalize":
        return _photometric.equalize_unit(x, uint8_levels)
    if op == "Invert":
        return 1.0 - x
    raise ValueError(f"unknown policy operation {op!r}")


@dataclass(frozen=True)
class _Applier:
    """Applies drawn ops from one policy's table to a float image in [0, 1] (and a mask)."""

    ops: tuple[str, ...]
    interpolation: str
    fill: tuple[float, ...]
    mask_fill: int
    uint8_levels: bool
    where: str

    def __call__(
        self, x: jax.Array, mask: jax.Array | None, op: jax.Array, magnitude: jax.Array, active: jax.Array
    ) -> tuple[jax.Array, jax.Array | None]:
        """Apply op number `op` of the table at `magnitude` where `active`; else nothing.

        One example at a time the switch runs only the drawn branch, and with nearest the
        translations and shears get a branch each that moves whole lines (rows for X, columns
        for Y), half the cost of the general warp (issue #13). Under vmap every branch runs for
        every example, so there the geometric ops share the one warp by the drawn matrix: four
        more branches made a vmapped RandAugment 1.5x slower. Both give the same pixels.
        """
        if self.interpolation != "nearest" or not any(name in _LINE_AXIS for name in self.ops):
            return self._apply(x, mask, op, magnitude, active, lines=False)

        @jax.custom_batching.custom_vmap
        def apply(x: jax.Array, mask: jax.Array | None, op: jax.Array, magnitude: jax.Array, active: jax.Array) -> Any:
            return self._apply(x, mask, op, magnitude, active, lines=True)

        @apply.def_vmap
        def apply_batched(axis_size: int, in_batched: Any, *args: Any) -> tuple[Any, Any]:
            in_axes = tuple(jax.tree.map(lambda batched: 0 if batched else None, b) for b in in_batched)
            out = jax.vmap(functools.partial(self._apply, lines=False), in_axes=in_axes, axis_size=axis_size)(*args)
            return out, jax.tree.map(lambda _: True, out)

        return apply(x, mask, op, magnitude, active)

    def _apply(
        self, x: jax.Array, mask: jax.Array | None, op: jax.Array, magnitude: jax.Array, active: jax.Array, lines: bool
    ) -> tuple[jax.Array, jax.Array | None]:
        """`__call__` with the layout of the geometric branches chosen: a branch per line op
        (`lines`, for one example at a time), or the one warp for all of them."""
        h, w, _ = x.shape
        point_ops = [name for name in self.ops if name not in _GEOMETRIC and name != "Identity"]
        line_axis = _LINE_AXIS if lines else {}
        line_ops = [name for name in self.ops if name in line_axis]
        warp_ops = [name for name in self.ops if name in _GEOMETRIC and name not in line_axis]

        def matrix_of(op: jax.Array, magnitude: jax.Array) -> jax.Array:
            matrices = jnp.stack(
                [_op_matrix(name, magnitude, h, w) if name in _GEOMETRIC else _geometry.identity_matrix() for name in self.ops]
            )
            return matrices[op]

        def shift_lines(name: str, fill: tuple[float, ...] | int, fill_name: str = "fill") -> Callable[..., jax.Array]:
            def branch(values: jax.Array, op: jax.Array, magnitude: jax.Array) -> jax.Array:
                matrix = _op_matrix(name, magnitude, h, w)
                return _geometry.shift_lines_nearest(
                    values, matrix, line_axis[name], fill=fill, where=self.where, fill_name=fill_name,
                    translation=name.startswith("Translate"),
                ).astype(values.dtype)  # fmt: skip

            return branch

        def warp(x: jax.Array, op: jax.Array, magnitude: jax.Array) -> jax.Array:
            # The matrix is built inside the branch: examples whose op is not geometric skip it.
            out = _geometry.resample(
                x, matrix_of(op, magnitude), (h, w), interpolation=self.interpolation, fill=self.fill, border="fill",
                where=self.where,
            )  # fmt: skip
            return out.astype(x.dtype)

        # Branch 0 leaves the image alone, then one per point op, one per line op, and the warp.
        branch_names = ["Identity", *point_ops, *line_ops] + (["warp"] if warp_ops else [])
        branch_of_op = np.array([branch_names.index("warp" if name in warp_ops else name) for name in self.ops], np.int32)
        branch = jnp.where(active, jnp.asarray(branch_of_op)[op], 0)
        branches = [lambda x, op, magnitude: x]
        branches += [
            (lambda x, op, magnitude, name=name: _point_op(name, self.uint8_levels, x, magnitude).astype(x.dtype))
            for name in point_ops
        ]
        branches += [shift_lines(name, self.fill) for name in line_ops]
        if warp_ops:
            branches.append(warp)
        x = jax.lax.switch(branch, branches, x, op, magnitude)
        if mask is not None and (line_ops or warp_ops):
            # The mask moves with the geometry only, by nearest, through the image's own path.
            def mask_warp(mask: jax.Array, op: jax.Array, magnitude: jax.Array) -> jax.Array:
                return _geometry.resample(
                    mask, matrix_of(op, magnitude), (h, w), interpolation="nearest", fill=self.mask_fill, border="fill",
                    where=self.where, fill_name="mask_fill",
                )  # fmt: skip

            mask_names = ["Identity", *line_ops] + (["warp"] if warp_ops else [])
            mask_branch_of_op = np.array(
                [mask_names.index("warp" if name in warp_ops else name) if name in _GEOMETRIC else 0 for name in self.ops],
                np.int32,
            )
            mask_branches = [lambda mask, op, magnitude: mask]
            mask_branches += [shift_lines(name, self.mask_fill, "mask_fill") for name in line_ops]
            if warp_ops:
                mask_branches.append(mask_warp)
            mask_branch = jnp.where(active, jnp.asarray(mask_branch_of_op)[op], 0)
            mask = jax.lax.switch(mask_branch, mask_branches, mask, op, magnitude)
        return x, mask


# Up to this many slots run as straight-line code rather than a lax.scan: one example at a
# time, the scan's loop costs RandAugment's two slots ~9% of their CPU time (issue #13).
_UNROLLED_SLOTS = 2


@functools.partial(jax.jit, static_argnums=0)
def _run_ops(
    apply: _Applier, x: jax.Array, mask: jax.Array | None, op: jax.Array, magnitude: jax.Array, active: jax.Array
) -> tuple[jax.Array, jax.Array | None]:
    """Apply a (n,) sequence of drawn ops in order, as one scanned step.

    Jitted with the applier static, so eager calls reuse one compiled program (an eager scan
    traces its body anew, and would compile anew, on every call)."""
    if op.shape[0] == 0:
        return x, mask

    Carry = tuple[jax.Array, jax.Array | None]

    def step(carry: Carry, slot: tuple[jax.Array, ...]) -> tuple[Carry, None]:
        return apply(*carry, *slot), None

    if op.shape[0] <= _UNROLLED_SLOTS:
        for i in range(op.shape[0]):
            x, mask = apply(x, mask, op[i], magnitude[i], active[i])
        return x, mask
    (x, mask), _ = jax.lax.scan(step, (x, mask), (op, magnitude, active))
    return x, mask


def _signed(ops: Sequence[str]) -> np.ndarray:
    return np.array([name in _SIGNED for name in ops])


class _Policy(Transform):
    """What the four policies share: checks, units, and the op applier."""

    clamps_to_unit_range = True
    # A fill is a value of the input image (255 is white for uint8), as for geometric steps.
    input_unit_fields = ("fill",)

    def _check_settings(self) -> None:
        name = type(self).__name__
        _check_interpolation(name, self.interpolation)  # type: ignore[attr-defined]
        fill = 0.0 if self.fill is None else self.fill  # type: ignore[attr-defined]
        _freeze(self, "fill", _check_fill(name, "fill", fill))
        if not _checks.is_int(self.mask_fill):  # type: ignore[attr-defined]
            raise TypeError(f"{name}: mask_fill must be an integer label, got {self.mask_fill!r}")  # type: ignore[attr-defined]

    def _applier(self, image: jax.Array, ops: tuple[str, ...]) -> _Applier:
        name = type(self).__name__
        channels = image.shape[-1]
        if channels not in (1, 3):
            raise ValueError(f"{name}: image must have 1 (gray) or 3 (RGB) channels, got {channels}")
        fill = _checks.fill_values(name, "fill", self.fill, channels, image.dtype)  # type: ignore[attr-defined]
        uint8_levels = image.dtype == jnp.uint8
        if uint8_levels:
            fill = tuple(v / 255.0 for v in fill)
        return _Applier(ops, self.interpolation, fill, int(self.mask_fill), uint8_levels, name)  # type: ignore[attr-defined]

    def _start(self, image: jax.Array) -> jax.Array:
        _checks.check_unit_range(type(self).__name__, image)
        return _color._work(image)

    def _apply_draw(self, draw: PolicyDraw, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        """Run the drawn op slots in order on the image (and mask), back in the output dtype."""
        x, mask = _run_ops(self._applier(image, self.ops), self._start(image), mask, draw.op, draw.magnitude, draw.active)  # type: ignore[attr-defined]
        return _color._done(x, image), mask


class PolicyDraw(NamedTuple):
    """A policy's draw for one example: per op slot, which op, its bin, sign and magnitude.

    `op` indexes the policy's ``ops`` table; `magnitude` is the signed value the op is applied
    with (0 for ops without one); `negate` is the drawn sign (ignored for unsigned ops);
    `active` is False for slots that do nothing (AutoAugment steps that did not fire).
    """

    op: jax.Array
    bin: jax.Array
    negate: jax.Array
    magnitude: jax.Array
    active: jax.Array


def _uniform_index(key: jax.Array, size: int, n: int) -> jax.Array:
    """(size,) integers uniform in [0, n). From one uniform draw per slot: XLA's CPU backend
    compiles ``jax.random.randint`` several times more slowly, and a policy is compiled often."""
    return jnp.minimum(jnp.floor(uniform_vector(key, size) * n), n - 1).astype(jnp.int32)


def _coin(key: jax.Array, size: int) -> jax.Array:
    """(size,) fair coin flips (torchvision: ``torch.rand(()) <= 0.5``)."""
    return uniform_vector(key, size) < 0.5


def _dirichlet(key: jax.Array, alpha: float, size: int) -> jax.Array:
    """A (size,) Dirichlet(alpha, ..., alpha) draw: normalised Gamma(alpha) draws, which for the
    default alpha = 1 are exponential (-log of a uniform), without the gamma sampler's loop."""
    if alpha == 1.0:
        gammas = -jnp.log1p(-uniform_vector(key, size))
    else:
        gammas = jax.random.gamma(key, jnp.full((size,), alpha, jnp.float32))
    return gammas / jnp.sum(gammas)


def _draw(ops: tuple[str, ...], table: np.ndarray, op: jax.Array, bin: jax.Array, negate: jax.Array, active: jax.Array) -> PolicyDraw:
    negate = negate & jnp.asarray(_signed(ops))[op]
    magnitude = jnp.asarray(table)[op, bin]
    return PolicyDraw(op, bin, negate, jnp.where(negate, -magnitude, magnitude), active)


@dataclass(frozen=True)
class RandAugment(_Policy):
    """RandAugment: `num_ops` operations drawn uniformly from 14, each at bin `magnitude`.

    Per example and per slot: an operation uniformly from ``ops`` (Identity, ShearX, ShearY,
    TranslateX, TranslateY, Rotate, Brightness, Color, Contrast, Sharpness, Posterize, Solarize,
    AutoContrast, Equalize), the magnitude of bin `magnitude` of `num_magnitude_bins`, and a
    random sign for the geometric and enhance ops. ``sample`` returns a `PolicyDraw` of (num_ops,)
    arrays. Geometric ops move a mask (nearest); the others leave it.

    Shapes: (H, W, C) -> (H, W, C) float, C in {1, 3}. All arguments are static. uint8 input
    keeps torchvision's uint8 meanings for posterize, solarize and equalize; the image is float
    between ops (no rounding to uint8 levels between them). `fill` is a value of the input image.
    torchvision: ``T.RandAugment(num_ops=2, magnitude=9, num_magnitude_bins=31,
    interpolation=NEAREST, fill=None)``. A natural-image tool: solarize, posterize, equalize
    and autocontrast change densities and stain intensities, and the shears and translations
    move anatomy out of the frame; not for chest X-rays or histopathology.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.RandAugment()(jax.random.key(0), jnp.zeros((32, 32, 3), jnp.uint8)).shape
      (32, 32, 3)
    """

    num_ops: int = 2
    magnitude: int = 9
    num_magnitude_bins: int = 31
    interpolation: str = "nearest"
    fill: float | Sequence[float] | None = 0.0
    mask_fill: int = 0

    ops = _RAND_OPS

    def __post_init__(self) -> None:
        if not _checks.is_int(self.num_ops) or self.num_ops < 0:
            raise ValueError(f"RandAugment: num_ops must be an integer >= 0, got {self.num_ops!r}")
        if not _checks.is_int(self.num_magnitude_bins) or self.num_magnitude_bins < 2:
            raise ValueError(f"RandAugment: num_magnitude_bins must be an integer >= 2, got {self.num_magnitude_bins!r}")
        if not _checks.is_int(self.magnitude) or not 0 <= self.magnitude < self.num_magnitude_bins:
            raise ValueError(
                f"RandAugment: magnitude must be an integer bin in [0, num_magnitude_bins) = [0, {self.num_magnitude_bins}), "
                f"got {self.magnitude!r}"
            )
        self._check_settings()

    def sample(self, key: jax.Array, shape: Shape) -> PolicyDraw:
        k_op, k_sign = split_key(key, 2)
        n = self.num_ops
        table = magnitude_table(self.ops, "rand", self.num_magnitude_bins, shape[0], shape[1])
        op = _uniform_index(k_op, n, len(self.ops))
        negate = _coin(k_sign, n)
        return _draw(self.ops, table, op, jnp.full((n,), self.magnitude, jnp.int32), negate, jnp.ones((n,), bool))

    def apply_pair(self, params: PolicyDraw, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        return self._apply_draw(params, image, mask)


@dataclass(frozen=True)
class TrivialAugmentWide(_Policy):
    """TrivialAugment (wide ranges): one operation from 14 at a uniformly drawn magnitude bin.

    Per example: an operation uniformly from ``ops`` (RandAugment's 14), a bin uniformly from
    `num_magnitude_bins`, and a random sign for the geometric and enhance ops; the ranges are
    wider than RandAugment's (shear 0.99, translation 32 px, rotation 135 degrees, posterize
    down to 2 bits). ``sample`` returns a `PolicyDraw` of (1,) arrays. Geometric ops move a
    mask (nearest); the others leave it.

    Shapes: (H, W, C) -> (H, W, C) float, C in {1, 3}. All arguments are static; uint8 input
    keeps torchvision's uint8 meanings for posterize, solarize and equalize, and `fill` is a value
    of the input image.
    torchvision: ``T.TrivialAugmentWide(num_magnitude_bins=31, interpolation=NEAREST, fill=None)``.
    A natural-image tool: solarize, posterize, equalize and autocontrast change densities and
    stain intensities, and 135-degree rotations and large shears move anatomy out of the frame;
    not for chest X-rays or histopathology.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.TrivialAugmentWide()(jax.random.key(0), jnp.zeros((32, 32, 3), jnp.uint8)).shape
      (32, 32, 3)
    """

    num_magnitude_bins: int = 31
    interpolation: str = "nearest"
    fill: float | Sequence[float] | None = 0.0
    mask_fill: int = 0

    ops = _RAND_OPS

    def __post_init__(self) -> None:
        if not _checks.is_int(self.num_magnitude_bins) or self.num_magnitude_bins < 2:
            raise ValueError(f"TrivialAugmentWide: num_magnitude_bins must be an integer >= 2, got {self.num_magnitude_bins!r}")
        self._check_settings()

    def sample(self, key: jax.Array, shape: Shape) -> PolicyDraw:
        k_op, k_bin, k_sign = split_key(key, 3)
        table = magnitude_table(self.ops, "wide", self.num_magnitude_bins, shape[0], shape[1])
        op = _uniform_index(k_op, 1, len(self.ops))
        bin = _uniform_index(k_bin, 1, self.num_magnitude_bins)
        negate = _coin(k_sign, 1)
        return _draw(self.ops, table, op, bin, negate, jnp.ones((1,), bool))

    def apply_pair(self, params: PolicyDraw, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        return self._apply_draw(params, image, mask)


class AutoAugmentDraw(NamedTuple):
    """AutoAugment's draw: the sub-policy, and its two steps as a `PolicyDraw` of (2,) arrays
    (`active`: whether each step fired, with its own probability)."""

    sub_policy: jax.Array
    steps: PolicyDraw


@dataclass(frozen=True)
class AutoAugment(_Policy):
    """AutoAugment: one of 25 learned sub-policies, each two steps that fire with their own p.

    Per example: a sub-policy uniformly from the 25 of `policy` ("imagenet", "cifar10" or
    "svhn"), whether each of its two steps fires, and a random sign for the geometric and
    enhance ops; magnitudes are the sub-policy's bins of 10. ``ops`` lists the 14 operations.
    Geometric ops move a mask (nearest); the others leave it.

    Shapes: (H, W, C) -> (H, W, C) float, C in {1, 3}. All arguments are static; uint8 input
    keeps torchvision's uint8 meanings for posterize, solarize and equalize, and `fill` is a value
    of the input image.
    torchvision: ``T.AutoAugment(policy=AutoAugmentPolicy.IMAGENET, interpolation=NEAREST,
    fill=None)`` (pass the policy's value, e.g. "imagenet"). A natural-image tool: its
    sub-policies are mostly solarize, posterize, equalize and invert, which change densities
    and stain intensities; not for chest X-rays or histopathology.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.AutoAugment("cifar10")(jax.random.key(0), jnp.zeros((32, 32, 3), jnp.uint8)).shape
      (32, 32, 3)
    """

    policy: str = "imagenet"
    interpolation: str = "nearest"
    fill: float | Sequence[float] | None = 0.0
    mask_fill: int = 0

    ops = _AUTO_OPS

    def __post_init__(self) -> None:
        policy = getattr(self.policy, "value", self.policy)  # torchvision's AutoAugmentPolicy enum
        if policy not in _SUB_POLICIES:
            raise ValueError(f"AutoAugment: policy must be one of {sorted(_SUB_POLICIES)}, got {self.policy!r}")
        _freeze(self, "policy", policy)
        self._check_settings()

    def _steps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(25, 2) op indices, probabilities and bins of the sub-policies."""
        subs = _SUB_POLICIES[self.policy]
        op = np.array([[self.ops.index(name) for name, _, _ in sub] for sub in subs], np.int32)
        p = np.array([[prob for _, prob, _ in sub] for sub in subs], np.float32)
        bins = np.array([[0 if b is None else b for _, _, b in sub] for sub in subs], np.int32)
        return op, p, bins

    def sample(self, key: jax.Array, shape: Shape) -> AutoAugmentDraw:
        k_policy, k_fire, k_sign = split_key(key, 3)
        ops, probs, bins = self._steps()
        sub = _uniform_index(k_policy, 1, len(ops))[0]
        fire = uniform_vector(k_fire, 2) < jnp.asarray(probs)[sub]
        negate = _coin(k_sign, 2)
        table = magnitude_table(self.ops, "rand", 10, shape[0], shape[1])
        return AutoAugmentDraw(sub, _draw(self.ops, table, jnp.asarray(ops)[sub], jnp.asarray(bins)[sub], negate, fire))

    def apply_pair(self, params: AutoAugmentDraw, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        return self._apply_draw(params.steps, image, mask)


class AugMixDraw(NamedTuple):
    """AugMix's draw: the weight of the original image, the chains' weights (width,), and the
    chains' ops as a `PolicyDraw` of (width, max_depth) arrays (`active`: within the depth)."""

    original_weight: jax.Array
    chain_weights: jax.Array
    chains: PolicyDraw


@dataclass(frozen=True)
class AugMix(_Policy):
    """AugMix: a convex mix of the image and `mixture_width` chains of random operations.

    Per example: a Beta(alpha, alpha) weight for the original, Dirichlet(alpha) weights for the
    chains (scaled by the rest), each chain's depth (`chain_depth`, or uniformly 1 to 3 when it
    is <= 0), and per op slot an operation uniformly from ``ops`` (13 with `all_ops`, else the 9
    without Brightness, Color, Contrast, Sharpness), a bin uniformly from the first `severity`
    of 10, and a random sign for the geometric and enhance ops.

    Shapes: (H, W, C) -> (H, W, C) float, C in {1, 3}. All arguments are static; uint8 input
    keeps torchvision's uint8 meanings for posterize, solarize and equalize, and `fill` is a value
    of the input image. Masks are refused, as torchvision does: the output mixes differently
    moved copies, so no mask can follow it.
    torchvision: ``T.AugMix(severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True,
    interpolation=BILINEAR, fill=None)``. A natural-image tool (posterize, solarize, equalize);
    not for chest X-rays or histopathology.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.AugMix()(jax.random.key(0), jnp.zeros((32, 32, 3), jnp.uint8)).shape
      (32, 32, 3)
    """

    severity: int = 3
    mixture_width: int = 3
    chain_depth: int = -1
    alpha: float = 1.0
    all_ops: bool = True
    interpolation: str = "bilinear"
    fill: float | Sequence[float] | None = 0.0
    mask_fill: int = 0

    def __post_init__(self) -> None:
        if not _checks.is_int(self.severity) or not 1 <= self.severity <= 10:
            raise ValueError(f"AugMix: severity must be an integer in [1, 10], got {self.severity!r}")
        if not _checks.is_int(self.mixture_width) or self.mixture_width < 1:
            raise ValueError(f"AugMix: mixture_width must be an integer >= 1, got {self.mixture_width!r}")
        if not _checks.is_int(self.chain_depth):
            raise ValueError(f"AugMix: chain_depth must be an integer (<= 0 draws 1 to 3), got {self.chain_depth!r}")
        alpha = _checks.check_finite("AugMix", "alpha", self.alpha)
        if not alpha > 0:
            raise ValueError(f"AugMix: alpha must be > 0, got {self.alpha!r}")
        _freeze(self, "alpha", alpha)
        if not isinstance(self.all_ops, bool):
            raise TypeError(f"AugMix: all_ops must be True or False, got {self.all_ops!r}")
        self._check_settings()

    @property
    def ops(self) -> tuple[str, ...]:  # type: ignore[override]
        return _AUGMIX_OPS if self.all_ops else _AUGMIX_PARTIAL_OPS

    @property
    def max_depth(self) -> int:
        """Op slots per chain: `chain_depth`, or 3 when the depth is drawn."""
        return self.chain_depth if self.chain_depth > 0 else 3

    def sample(self, key: jax.Array, shape: Shape) -> AugMixDraw:
        k_beta, k_mix, k_depth, k_op, k_bin, k_sign = split_key(key, 6)
        width, depth = self.mixture_width, self.max_depth
        beta = _dirichlet(k_beta, self.alpha, 2)
        chain_weights = _dirichlet(k_mix, self.alpha, width) * beta[1]
        if self.chain_depth > 0:
            depths = jnp.full((width,), self.chain_depth, jnp.int32)
        else:
            depths = 1 + _uniform_index(k_depth, width, 3)
        active = jnp.arange(depth)[None, :] < depths[:, None]
        table = magnitude_table(self.ops, "augmix", 10, shape[0], shape[1])
        op = _uniform_index(k_op, width * depth, len(self.ops)).reshape(width, depth)
        bin = _uniform_index(k_bin, width * depth, self.severity).reshape(width, depth)
        negate = _coin(k_sign, width * depth).reshape(width, depth)
        return AugMixDraw(beta[0], chain_weights, _draw(self.ops, table, op, bin, negate, active))

    def apply_pair(self, params: AugMixDraw, image: jax.Array, mask: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
        if mask is not None:
            raise ValueError(
                "AugMix: masks are not supported: the output mixes differently moved copies of the image, "
                "so no mask can follow it (torchvision refuses them too); use RandAugment or TrivialAugmentWide"
            )
        x = self._start(image)
        chains = params.chains
        apply = self._applier(image, self.ops)
        mix = _mix_chains(apply, x, params.original_weight, params.chain_weights, chains.op, chains.magnitude, chains.active)
        return _color._done(mix, image), None


@functools.partial(jax.jit, static_argnums=0)
def _mix_chains(
    apply: _Applier,
    x: jax.Array,
    original_weight: jax.Array,
    chain_weights: jax.Array,
    op: jax.Array,
    magnitude: jax.Array,
    active: jax.Array,
) -> jax.Array:
    """AugMix's sum: original_weight * x plus each chain's weight times the chain's output."""

    def chain(mix: jax.Array, slots: tuple[jax.Array, ...]) -> tuple[jax.Array, None]:
        weight, op, magnitude, active = slots
        augmented, _ = _run_ops(apply, x, None, op, magnitude, active)
        return mix + weight.astype(x.dtype) * augmented, None

    mix, _ = jax.lax.scan(chain, original_weight.astype(x.dtype) * x, (chain_weights, op, magnitude, active))
    return mix


__all__ = ["AugMix", "AugMixDraw", "AutoAugment", "AutoAugmentDraw", "PolicyDraw", "RandAugment", "TrivialAugmentWide"]
