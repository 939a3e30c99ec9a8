"""ColorJitter reformulations timed against jaxaug's, interleaved in one process (issue #15).

Run ``python benchmarks/colour_ab.py`` (``--preset`` to time them inside the ImageNet and
pathology presets instead of alone). Each variant is ``jax.jit(ja.batch(t, chunk_size=8))`` on
128 float 224x224x3 images (uint8 256x256x3 with ``--preset``); the variants take turns, a few
calls each, and the table gives the median CPU ms per batch over the rounds: CPU time is
steadier than wall time on a shared machine. Every variant is checked against jaxaug's output
first (max |diff| column). Every variant is ColorJitter(0.4, 0.4, 0.4, 0.1), also where it
stands in for the pathology preset's (0.2, 0.2, 0.2, 0.05). The results, and why none was
adopted, are in benchmarks/README.md.

The variants rebuild ColorJitter's slot chain (``ColorJitter.apply_image``) with one part
swapped: how contrast's gray mean is reduced, how the hue is rotated, what dtype flows between
the slots, or which slots exist. They are prototypes for measurement, not jaxaug code.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import Callable

import jax
import jax.numpy as jnp

import jaxaug as ja
from jaxaug._image_transforms import Jitter  # private: ColorJitter's draw
from jaxaug.image import _color  # private: the variants reuse jaxaug's formulas
from harness import IMAGENET_MEAN, IMAGENET_STD, SIZE, cpu_seconds, make_images

WEIGHTS = _color._GRAY_WEIGHTS


# --- contrast's gray mean ------------------------------------------------------------------


def mean_of_gray(x: jax.Array) -> jax.Array:
    """jaxaug's: the gray image, then its mean (XLA stores the gray plane, YNNPACK sums it)."""
    return jnp.mean(_color._gray(x))


def mean_weighted_sum(x: jax.Array) -> jax.Array:
    """One reduction of ``x * weights`` (no gray plane)."""
    return jnp.sum(x * jnp.asarray(WEIGHTS, x.dtype)) / (x.shape[0] * x.shape[1])


def mean_channel_means(x: jax.Array) -> jax.Array:
    """Per-channel means, then their weighted sum (a reduction that keeps the minor axis of 3)."""
    means = jnp.mean(x, axis=(0, 1))
    return WEIGHTS[0] * means[0] + WEIGHTS[1] * means[1] + WEIGHTS[2] * means[2]


def mean_row_sums_dot(x: jax.Array) -> jax.Array:
    """Whole rows added (vectorised along W*C), then a dot with the tiled weights."""
    h, w, c = x.shape
    column_sums = jnp.sum(x.reshape(h, w * c), axis=0)
    return jnp.dot(column_sums, jnp.tile(jnp.asarray(WEIGHTS, x.dtype), w)) / (h * w)


# --- hue rotation ----------------------------------------------------------------------------


def _hsv(x: jax.Array, hue_factor: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """v, s and the rotated h, with one division for h ((c1 - c2) / chroma) instead of
    torchvision's three ((max - c) / chroma)."""
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    top = jnp.where((r >= g) & (r >= b), 0, jnp.where(g >= b, 1, 2))
    v = jax.lax.select_n(top, r, g, b)
    chroma = v - jnp.minimum(jnp.minimum(r, g), b)
    flat = chroma == 0
    s = chroma / jnp.where(flat, 1.0, v)
    h6 = jax.lax.select_n(top, g - b, b - r, r - g) / jnp.where(flat, 1.0, chroma)
    h6 = h6 + jax.lax.select_n(top, 0.0, 2.0, 4.0).astype(x.dtype)
    h = jnp.mod(jnp.mod(h6 / 6.0 + 1.0, 1.0) + hue_factor, 1.0)
    return v, s, h


def hue_one_division(x: jax.Array, hue_factor: jax.Array, pick: str = "select") -> jax.Array:
    """``_hsv`` and torchvision's sector table, picked by ``jnp.select`` (as jaxaug) or
    ``lax.select_n`` on the sector."""
    v, s, h = _hsv(x, hue_factor)
    i = jnp.floor(h * 6.0)
    f = h * 6.0 - i
    i = jnp.mod(i.astype(jnp.int32), 6)
    p = jnp.clip(v * (1.0 - s), 0.0, 1.0)
    q = jnp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = jnp.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))
    if pick == "select_n":
        return jnp.stack([jax.lax.select_n(i, *row) for row in table], axis=-1)
    return jnp.stack([jnp.select([i == k for k in range(5)], list(row[:5]), row[5]) for row in table], axis=-1)


def hue_sector_formula(x: jax.Array, hue_factor: jax.Array) -> jax.Array:
    """The rotated RGB straight from the sector: ``v - chroma * clip(min(k, 4 - k), 0, 1)``,
    ``k = (h6 + n) mod 6`` with n = 5, 3, 1 for r, g, b (no table, no int sector)."""
    v, s, h = _hsv(x, hue_factor)
    h6 = h * 6.0
    channels = []
    for n in (5.0, 3.0, 1.0):
        k = jnp.mod(h6 + n, 6.0)
        channels.append(jnp.clip(v * (1.0 - s * jnp.clip(jnp.minimum(k, 4.0 - k), 0.0, 1.0)), 0.0, 1.0))
    return jnp.stack(channels, axis=-1)


# --- the slot chain ----------------------------------------------------------------------------


def _order(params: Jitter) -> tuple[jax.Array, jax.Array, jax.Array]:
    """The three blends in drawn order, when each runs, and when hue runs."""
    position = jnp.argsort(params.order)
    ops = jnp.arange(3, dtype=jnp.int32)
    when = position[ops]
    return ops[jnp.argsort(when)], jnp.sort(when), position[3]


def jitter_variant(
    mean_gray: Callable = mean_of_gray, shift_hue: Callable = _color._shift_hue, uint8_between: bool = False
) -> ja.Transform:
    """ColorJitter(0.4, 0.4, 0.4, 0.1)'s six slots around one hue pass, with parts swapped.

    uint8_between: carry uint8 between the passes (each converts, blends, truncates), as
    torchvision's uint8 path stores after each op; the rounding is not torchvision's, only the cost.
    """
    base = ja.ColorJitter(0.4, 0.4, 0.4, 0.1)

    def slot(x: jax.Array, op: jax.Array, factors: jax.Array, active: jax.Array) -> jax.Array:
        xf = x.astype(jnp.float32) / 255.0 if uint8_between else x
        gray = _color._gray(xf)
        reference = jnp.where(op == 1, mean_gray(xf), 0.0)
        reference = jnp.where(op == 2, gray, reference)
        out = _color._blend(xf, reference, factors[op])
        if uint8_between:
            out = (out * 255.0).astype(jnp.uint8)
        return jnp.where(active, out, x)

    def apply(key: jax.Array, image: jax.Array) -> jax.Array:
        params = base.sample(key, image.shape)
        factors = jnp.stack([params.brightness, params.contrast, params.saturation])
        sequence, sequence_when, hue_when = _order(params)
        x = (image * 255.0).astype(jnp.uint8) if uint8_between else image
        for j in range(3):
            x = slot(x, sequence[j], factors, sequence_when[j] < hue_when)
        xf = x.astype(jnp.float32) / 255.0 if uint8_between else x
        x = shift_hue(xf, params.hue)
        x = (x * 255.0).astype(jnp.uint8) if uint8_between else x
        for j in range(3):
            x = slot(x, sequence[j], factors, sequence_when[j] > hue_when)
        return x.astype(jnp.float32) / 255.0 if uint8_between else x

    return apply


# Typed slots: B(0) S(2) B C(1) B S B on each side of the hue holds every ordered subset of the
# three blends as a subsequence, so only two slots per jitter need a gray mean (six now).
SIDE_TYPES = (0, 2, 0, 1, 0, 2, 0)


def _typed_activity(sequence: jax.Array, valid: jax.Array) -> jax.Array:
    """Which of the SIDE_TYPES slots run: the valid ops of `sequence` matched leftmost."""
    types = jnp.asarray(SIDE_TYPES, jnp.int32)
    index = jnp.arange(len(SIDE_TYPES))
    last = jnp.int32(-1)
    active = jnp.zeros(len(SIDE_TYPES), bool)
    for j in range(3):
        first = jnp.argmax((types == sequence[j]) & (index > last)).astype(jnp.int32)
        last = jnp.where(valid[j], first, last)
        active = active | ((index == first) & valid[j])
    return active


def jitter_typed_slots(key: jax.Array, image: jax.Array) -> jax.Array:
    """ColorJitter(0.4, 0.4, 0.4, 0.1) with seven typed slots per side instead of three of any op."""
    params = ja.ColorJitter(0.4, 0.4, 0.4, 0.1).sample(key, image.shape)
    factors = jnp.stack([params.brightness, params.contrast, params.saturation])
    sequence, sequence_when, hue_when = _order(params)

    def side(x: jax.Array, active: jax.Array) -> jax.Array:
        for j, op in enumerate(SIDE_TYPES):
            if op == 0:
                reference = jnp.zeros((), x.dtype)
            elif op == 1:
                reference = jnp.mean(_color._gray(x))
            else:
                reference = _color._gray(x)
            x = jnp.where(active[j], _color._blend(x, reference, factors[op]), x)
        return x

    x = side(image, _typed_activity(sequence, sequence_when < hue_when))
    x = _color._shift_hue(x, params.hue)
    return side(x, _typed_activity(sequence, sequence_when > hue_when))


VARIANTS = {
    "jaxaug ColorJitter(.4,.4,.4,.1)": ja.ColorJitter(0.4, 0.4, 0.4, 0.1),
    "slot chain rebuilt (check)": jitter_variant(),
    "mean: weighted sum of x": jitter_variant(mean_gray=mean_weighted_sum),
    "mean: channel means": jitter_variant(mean_gray=mean_channel_means),
    "mean: row sums + dot": jitter_variant(mean_gray=mean_row_sums_dot),
    "hue: one division, jnp.select": jitter_variant(shift_hue=hue_one_division),
    "hue: one division, select_n": jitter_variant(shift_hue=lambda x, h: hue_one_division(x, h, "select_n")),
    "hue: sector formula": jitter_variant(shift_hue=hue_sector_formula),
    "uint8 between passes": jitter_variant(uint8_between=True),
    "typed slots (7 per side)": jitter_typed_slots,
}


def in_preset(name: str, jitter: Callable) -> Callable:
    """The ImageNet or pathology preset with `jitter` in ColorJitter's place (same draws elsewhere)."""
    if name == "imagenet":
        before = ja.Compose([ja.RandomResizedCrop(SIZE), ja.RandomHorizontalFlip()])
        after = ja.Compose([ja.ToFloat(), ja.Normalize(IMAGENET_MEAN, IMAGENET_STD), ja.RandomErasing(p=0.5)])
    else:
        before = ja.Compose(
            [ja.Resize(256), ja.RandomCrop(SIZE), ja.RandomHorizontalFlip(), ja.RandomVerticalFlip(), ja.RandomRotation(90)]
        )
        after = ja.Compose([ja.ToFloat(), ja.Normalize(IMAGENET_MEAN, IMAGENET_STD)])

    def pipeline(key: jax.Array, image: jax.Array) -> jax.Array:
        k1, k2, k3 = jax.random.split(key, 3)
        return after(k3, jitter(k2, before(k1, image)))

    return pipeline


def main(argv: list[str] | None = None) -> None:
    """Time the variants in turns and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=("imagenet", "pathology"), help="time inside this preset")
    parser.add_argument("--only", nargs="*", help="substrings of variant names to keep (jaxaug's always runs)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    keep = args.only or [""]
    variants = {n: t for n, t in VARIANTS.items() if n.startswith("jaxaug") or any(s in n for s in keep)}
    if args.preset:
        images = jnp.asarray(make_images(128, 3))
        variants = {n: in_preset(args.preset, t) for n, t in variants.items()}
    else:
        images = jax.random.uniform(jax.random.key(1), (128, SIZE, SIZE, 3))
    calls, diffs = {}, {}
    for name, t in variants.items():
        print(f"compiling {name}", file=sys.stderr, flush=True)
        calls[name] = jax.jit(ja.batch(t, chunk_size=8))
        diffs[name] = calls[name](jax.random.key(7), images)
    reference = diffs[next(iter(diffs))]
    diffs = {n: float(jnp.abs(out - reference).max()) for n, out in diffs.items()}
    cpu_ms: dict[str, list[float]] = {n: [] for n in calls}
    key = 0
    for _ in range(args.rounds):
        for name, call in calls.items():
            start = cpu_seconds()
            for _ in range(args.calls):
                key += 1
                jax.block_until_ready(call(jax.random.key(key), images))
            cpu_ms[name].append(1e3 * (cpu_seconds() - start) / args.calls)
    where = f"inside the {args.preset} preset" if args.preset else "alone, float 224x224x3"
    print(f"| variant ({where}, chunk_size=8) | CPU ms / 128, median | rounds | max abs diff vs jaxaug |")
    print("|---|---:|---|---:|")
    for name, values in cpu_ms.items():
        print(f"| {name} | {statistics.median(values):.0f} | {' '.join(f'{v:.0f}' for v in values)} | {diffs[name]:.1e} |")


if __name__ == "__main__":
    main()
