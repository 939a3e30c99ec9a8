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
from collections.abc import Callable

import jax
import jax.numpy as jnp

import jaxaug as ja
from jaxaug.image._color import _gray, _shift_hue  # private helpers, reused by the prototypes
from run import IMAGENET_MEAN, IMAGENET_STD, SIZE, Config, bench_jax, make_images, table


def separable_resized_crop(key: jax.Array, image: jax.Array) -> jax.Array:
    """Prototype: RandomResizedCrop + horizontal flip as two small matmuls, no gather.

    A crop box resized to 224x224 (and a flip) is an axis-aligned map, so bilinear
    interpolation factors into a (224, H) row-weight matrix and a (224, W) column-weight
    matrix. Box drawn like jaxaug's (first of 10 tries, no fallback: a prototype).
    """
    h_in, w_in, _ = image.shape
    crop = ja.RandomResizedCrop(SIZE)
    box = crop.sample(key, image.shape)
    flip = jax.random.bernoulli(jax.random.fold_in(key, 1))

    def weights(start: jax.Array, length: jax.Array, n_in: int, mirror: jax.Array) -> jax.Array:
        out = jnp.arange(SIZE, dtype=jnp.float32)
        out = jnp.where(mirror, SIZE - 1 - out, out)
        src = jnp.clip(start + (out + 0.5) * (length / SIZE) - 0.5, 0.0, n_in - 1.0)
        taps = jnp.arange(n_in, dtype=jnp.float32)
        return jnp.maximum(0.0, 1.0 - jnp.abs(src[:, None] - taps[None, :]))  # (SIZE, n_in)

    wy = weights(box.top, box.height, h_in, jnp.bool_(False))
    wx = weights(box.left, box.width, w_in, flip)
    x = image.astype(jnp.float32)
    out = jnp.einsum("oh,hwc->owc", wy, x)
    out = jnp.einsum("pw,owc->opc", wx, out)
    return out * (1.0 / 255.0)


def two_pass_color_jitter(brightness: float, contrast: float, saturation: float, hue: float) -> Callable[..., jax.Array]:
    """Prototype: ColorJitter in two memory passes instead of one per slot.

    jaxaug's ColorJitter runs six blend slots around the hue pass and every slot reduces its
    input to a gray mean (needed only by the contrast slot), so each slot's output is
    materialised. Here the per-pixel chain is written once, ``chain(x, mean, limit)``; pass 1
    reduces the chain cut just before the contrast op to its gray mean, pass 2 runs the whole
    chain with that mean. Same draws and the same result as ja.ColorJitter.
    """
    jitter = ja.ColorJitter(brightness, contrast, saturation, hue)

    def fn(key: jax.Array, image: jax.Array) -> jax.Array:
        p = jitter.sample(key, image.shape)
        factors = jnp.stack([p.brightness, p.contrast, p.saturation])
        hue_pos = jnp.argmax(p.order == 3)

        def blend(x: jax.Array, op: jax.Array, mean: jax.Array, active: jax.Array) -> jax.Array:
            gray = _gray(x)
            reference = jnp.where(op == 0, 0.0, jnp.where(op == 1, mean, gray))
            f = factors[jnp.minimum(op, 2)]
            return jnp.where(active & (op != 3), jnp.clip(f * x + (1.0 - f) * reference, 0.0, 1.0), x)

        def chain(x: jax.Array, mean: jax.Array, limit: jax.Array) -> jax.Array:
            for slot in range(3):
                x = blend(x, p.order[slot], mean, (slot < hue_pos) & (slot < limit))
            x = jnp.where(hue_pos < limit, _shift_hue(x, p.hue), x)
            for slot in range(1, 4):
                x = blend(x, p.order[slot], mean, (slot > hue_pos) & (slot < limit))
            return x

        x0 = image.astype(jnp.float32)
        mean = jnp.mean(_gray(chain(x0, jnp.float32(0.0), jnp.argmax(p.order == 1))))
        return chain(x0, mean, jnp.int32(4))

    return fn


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
        ("imagenet", "prototype: separable RRC+flip (matmul)", separable_resized_crop, rgb_u8),
        ("imagenet", "RandomHorizontalFlip alone, u8 256", ja.RandomHorizontalFlip(), rgb_u8),
        ("imagenet", "ColorJitter(.4,.4,.4,.1)", ja.ColorJitter(0.4, 0.4, 0.4, 0.1), rgb_f),
        ("imagenet", "ColorJitter(brightness=.4)", ja.ColorJitter(brightness=0.4), rgb_f),
        ("imagenet", "ColorJitter(contrast=.4)", ja.ColorJitter(contrast=0.4), rgb_f),
        ("imagenet", "ColorJitter(saturation=.4)", ja.ColorJitter(saturation=0.4), rgb_f),
        ("imagenet", "ColorJitter(hue=.1)", ja.ColorJitter(hue=0.1), rgb_f),
        ("imagenet", "prototype: two-pass ColorJitter", two_pass_color_jitter(0.4, 0.4, 0.4, 0.1), rgb_f),
        ("imagenet", "ToFloat + Normalize", ja.Compose([ja.ToFloat(), ja.Normalize(IMAGENET_MEAN, IMAGENET_STD)]), rgb_f),
        ("imagenet", "RandomErasing(0.5)", ja.RandomErasing(p=0.5), rgb_f),
        ("xray", "preset (all steps)", ja.presets.xray_train(), gray_u8),
        ("xray", "Resize(256) on 256 (to_float only)", ja.Resize(256), gray_u8),
        ("xray", "RandomResizedCrop(224, .8-1) u8->f32", ja.RandomResizedCrop(SIZE, scale=(0.8, 1.0)), gray_u8),
        ("xray", "RRC + HFlip + Rotation fused", ja.Compose([ja.RandomResizedCrop(SIZE, scale=(0.8, 1.0)), ja.RandomHorizontalFlip(), ja.RandomRotation(10)]), gray_u8),
        ("xray", "RandomRotation(10) f32 224", ja.RandomRotation(10), gray_f),
        ("xray", "ColorJitter(.1, .1)", ja.ColorJitter(brightness=0.1, contrast=0.1), gray_f),
        ("xray", "Normalize([.5],[.5])", ja.Normalize([0.5], [0.5]), gray_f),
    ]
    rows = []
    for pipeline, name, step, x in steps:
        print(f"{pipeline}: {name}", file=sys.stderr, flush=True)
        rows.append(bench_jax(pipeline, name, ja.batch(step), (x,), cfg))
    print(table(rows))


if __name__ == "__main__":
    main()
