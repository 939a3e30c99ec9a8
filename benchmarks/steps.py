"""Where jaxaug's time goes: each step of the ImageNet and X-ray presets timed alone.

Run ``python benchmarks/steps.py`` (``--quick`` for fewer calls). Each row is
``jax.jit(ja.batch(step))`` on a batch of 128, fed what the step sees inside the preset
(uint8 256x256 for the first step, float32 224x224 after it). A few rows time a
prototype of a cheaper formulation next to jaxaug's, as evidence for the suggestions in the
report; they are written here, not in jaxaug.
"""

from __future__ import annotations

import argparse
import sys

import jax
import jax.numpy as jnp

import jaxaug as ja
from jaxaug.image._color import _shift_hue  # private; timed alone below
from harness import IMAGENET_MEAN, IMAGENET_STD, SIZE, Config, bench_jax, make_images
from run import table


def separable_resized_crop(key: jax.Array, image: jax.Array) -> jax.Array:
    """Prototype: RandomResizedCrop + HorizontalFlip resampled as two gathers of whole rows.

    A crop, resize or flip maps output x to input x and output y to input y separately (the
    fused matrix has zero off-diagonal terms), so bilinear interpolation factors: gather the two
    input rows per output row (contiguous W*C slices), blend, *transpose*, gather the two
    columns per output column as rows of the transposed image, blend, transpose back. Gathering
    columns in place (``take(..., axis=1)``) instead reads C values per index, almost as many
    indices as the per-pixel gather. Same draws and matrix as jaxaug's Compose.
    """
    pipeline = ja.Compose([ja.RandomResizedCrop(SIZE), ja.RandomHorizontalFlip()])
    m = pipeline.matrix(pipeline.sample(key, image.shape), image.shape)
    h_in, w_in, _ = image.shape

    def taps(scale: jax.Array, offset: jax.Array, n_in: int) -> tuple[jax.Array, jax.Array, jax.Array]:
        src = jnp.clip(scale * jnp.arange(SIZE, dtype=jnp.float32) + offset, 0.0, n_in - 1.0)
        i0 = jnp.floor(src)
        return i0.astype(jnp.int32), jnp.minimum(i0.astype(jnp.int32) + 1, n_in - 1), src - i0

    y0, y1, fy = taps(m[1, 1], m[1, 2], h_in)
    x0, x1, fx = taps(m[0, 0], m[0, 2], w_in)
    top, bottom = image[y0].astype(jnp.float32), image[y1].astype(jnp.float32)  # (224, W, C)
    cols = (top + fy[:, None, None] * (bottom - top)).transpose(1, 0, 2)  # (W, 224, C)
    left, right = cols[x0], cols[x1]  # (224, 224, C)
    return (left + fx[:, None, None] * (right - left)).transpose(1, 0, 2) * (1.0 / 255.0)


def hue_one_reciprocal(key: jax.Array, image: jax.Array) -> jax.Array:
    """Prototype: jaxaug's HSV hue shift with one reciprocal instead of three divisions.

    XLA on CPU does not duplicate a division into several consumers, so each of ``rc, gc, bc
    = (maxc - c) / cr`` becomes its own materialised pass over the batch; multiplying by one
    ``1 / cr`` removes two of them. Also ``h - floor(h)`` for ``mod(h, 1)``, the sector
    (argmax, first on ties) from comparisons with ``maxc`` picked by it, so the two always
    agree, and ``lax.select_n`` on the integer sector instead of ``jnp.select``. Matches
    jaxaug's to 1e-6.
    """
    hue = jax.random.uniform(key, (), minval=-0.1, maxval=0.1)
    x = image.astype(jnp.float32)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    top = jnp.where((r >= g) & (r >= b), 0, jnp.where(g >= b, 1, 2))
    maxc = jax.lax.select_n(top, r, g, b)
    cr = maxc - jnp.minimum(jnp.minimum(r, g), b)
    flat = cr == 0
    s = cr / jnp.where(flat, 1.0, maxc)
    inv = 1.0 / jnp.where(flat, 1.0, cr)
    rc, gc, bc = (maxc - r) * inv, (maxc - g) * inv, (maxc - b) * inv
    h = jax.lax.select_n(top, bc - gc, 2.0 + rc - bc, 4.0 + gc - rc) / 6.0 + 1.0
    h = h - jnp.floor(h) + hue
    h6 = (h - jnp.floor(h)) * 6.0
    sector = jnp.floor(h6)
    f = h6 - sector
    i = jnp.where(sector >= 6.0, 0.0, sector).astype(jnp.int32)  # h rounds up to 1.0: sector 0, as jaxaug
    v = maxc
    p = jnp.clip(v * (1.0 - s), 0.0, 1.0)
    q = jnp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = jnp.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    pick = jax.lax.select_n
    return jnp.stack([pick(i, v, q, p, p, t, v), pick(i, t, v, v, q, p, p), pick(i, p, p, t, v, v, q)], axis=-1)


def hue_jaxaug(key: jax.Array, image: jax.Array) -> jax.Array:
    """jaxaug's own hue shift (``image._color._shift_hue``) with the same draw, no slots around it."""
    return _shift_hue(image, jax.random.uniform(key, (), minval=-0.1, maxval=0.1))


def main(argv: list[str] | None = None) -> None:
    """Time each step and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    cfg = Config(batch=args.batch, repeats=9, budget_s=4.0)
    if args.quick:
        cfg = Config(batch=args.batch, repeats=3, budget_s=1.0, warmup=1, min_repeats=2)

    rgb_u8 = jnp.asarray(make_images(cfg.batch, 3))
    gray_u8 = jnp.asarray(make_images(cfg.batch, 1))
    rgb_f = jax.random.uniform(jax.random.key(1), (cfg.batch, SIZE, SIZE, 3))
    gray_f = jax.random.uniform(jax.random.key(2), (cfg.batch, SIZE, SIZE, 1))

    steps = [
        ("imagenet", "preset (all steps)", ja.presets.imagenet_train(), rgb_u8),
        ("imagenet", "RandomResizedCrop(224) u8->f32", ja.RandomResizedCrop(SIZE), rgb_u8),
        ("imagenet", "RRC + HFlip fused (Compose)", ja.Compose([ja.RandomResizedCrop(SIZE), ja.RandomHorizontalFlip()]), rgb_u8),
        ("imagenet", "prototype: RRC + HFlip, rows then transposed rows", separable_resized_crop, rgb_u8),
        ("imagenet", "RandomHorizontalFlip alone, u8 256", ja.RandomHorizontalFlip(), rgb_u8),
        ("imagenet", "ColorJitter(.4,.4,.4,.1)", ja.ColorJitter(0.4, 0.4, 0.4, 0.1), rgb_f),
        ("imagenet", "ColorJitter(.4,.4,.4) (no hue)", ja.ColorJitter(0.4, 0.4, 0.4), rgb_f),
        ("imagenet", "ColorJitter(brightness=.4)", ja.ColorJitter(brightness=0.4), rgb_f),
        ("imagenet", "ColorJitter(hue=.1)", ja.ColorJitter(hue=0.1), rgb_f),
        ("imagenet", "hue shift alone (jaxaug _shift_hue)", hue_jaxaug, rgb_f),
        ("imagenet", "prototype: hue, 1 reciprocal (not 3 divides)", hue_one_reciprocal, rgb_f),
        ("imagenet", "ToFloat + Normalize", ja.Compose([ja.ToFloat(), ja.Normalize(IMAGENET_MEAN, IMAGENET_STD)]), rgb_f),
        ("imagenet", "RandomErasing(0.5)", ja.RandomErasing(p=0.5), rgb_f),
        ("xray", "preset (all steps)", ja.presets.xray_train(), gray_u8),
        ("xray", "Resize(256) alone on 256 (identity resample)", ja.Resize(256), gray_u8),
        ("xray", "RandomResizedCrop(224, .8-1) u8->f32", ja.RandomResizedCrop(SIZE, scale=(0.8, 1.0)), gray_u8),
        ("xray", "RRC + HFlip + Rotation fused", ja.Compose([ja.RandomResizedCrop(SIZE, scale=(0.8, 1.0)), ja.RandomHorizontalFlip(), ja.RandomRotation(10)]), gray_u8),
        ("xray", "RandomRotation(10) f32 224", ja.RandomRotation(10), gray_f),
        ("xray", "ColorJitter(.1, .1)", ja.ColorJitter(brightness=0.1, contrast=0.1), gray_f),
        ("xray", "Normalize([.5],[.5])", ja.Normalize([0.5], [0.5]), gray_f),
    ]
    references = {
        separable_resized_crop: ja.Compose([ja.RandomResizedCrop(SIZE), ja.RandomHorizontalFlip()]),
        hue_one_reciprocal: hue_jaxaug,
    }
    rows = []
    for pipeline, name, step, x in steps:
        print(f"{pipeline}: {name}", file=sys.stderr, flush=True)
        row = bench_jax(pipeline, name, ja.batch(step), (x,), cfg)
        if step in references:
            key = jax.random.key(7)
            diff = jnp.abs(jax.jit(ja.batch(step))(key, x) - jax.jit(ja.batch(references[step]))(key, x)).max()
            row.notes = f"max |diff| vs jaxaug: {float(diff):.1e}"
        rows.append(row)
    print(table(rows))


if __name__ == "__main__":
    main()
