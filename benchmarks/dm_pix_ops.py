"""Which jaxaug ops can run on dm-pix: same meaning (torchvision's) and no loss of speed?

For each op dm-pix also has, compare dm-pix's output with jaxaug's own formula (which the tests
check against torchvision 0.29.1), and time both under ``jax.jit`` on the CPU, interleaved in
one run (the machine is shared and noisy), reporting medians. Prints a table and writes
benchmarks/DM_PIX.md.

    python benchmarks/dm_pix_ops.py            # ~1 minute on 2 shared cores
    python benchmarks/dm_pix_ops.py --reps 51 --batch 16
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time
from pathlib import Path

import dm_pix as pix
import jax
import jax.numpy as jnp
import numpy as np

from jaxaug import image as F
from jaxaug.image import _color, _geometry

OUT = Path(__file__).with_name("DM_PIX.md")

NOTES = """"jaxaug's own" is the formula jaxaug uses (or would use) without dm-pix; the tests check it
against torchvision 0.29.1. A max abs diff of 0 means the same values; ~1e-6 is float rounding.
The decision rule: use dm-pix where the meaning is torchvision's and the paired ratio is not
above 1 beyond the noise of a shared CPU (identical programs measured 0.85 to 1.1 here).

Not in the table: `elastic_deformation` (jaxaug has no elastic transform yet; dm-pix's draws a
displacement in pixels, `alpha * blurred noise`, where torchvision's `ElasticTransform` scales it
by the image size and resamples with `grid_sample`, so its parameters do not port), and the
HSV/HSL conversions on their own (jaxaug exposes none; their use inside `adjust_hue` is the
table's rgb_to_hsv row).
"""


def candidates():
    """(op, dm-pix call, jaxaug's own formula (torchvision's meaning), dm-pix's, decision)."""
    own_gamma = lambda x: jnp.clip(0.9 * x**0.6, 0.0, 1.0)  # noqa: E731  clip(gain * x ** gamma, 0, 1)
    return [
        ("hflip", "flip_left_right(x)", lambda x: x[:, ::-1, :], pix.flip_left_right, "used: `image.hflip`"),
        ("vflip", "flip_up_down(x)", lambda x: x[::-1, :, :], pix.flip_up_down, "used: `image.vflip`"),
        ("rot90 (k=1)", "rot90(x, 1)", lambda x: jnp.rot90(x, 1, axes=(0, 1)), lambda x: pix.rot90(x, 1), "used: `image.rot90`"),
        ("adjust_gamma (0.6, gain 0.9)", "clip(adjust_gamma(x, 0.6, gain=0.9), 0, 1)", own_gamma,
         lambda x: jnp.clip(pix.adjust_gamma(x, 0.6, gain=0.9), 0.0, 1.0), "used: `image.adjust_gamma`"),
        ("solarize (0.7; torchvision's formula)", "solarize(x, 0.7)", lambda x: jnp.where(x >= 0.7, 1.0 - x, x),
         lambda x: pix.solarize(x, 0.7), "same meaning on floats; jaxaug has no solarize yet (use it there)"),
        ("rgb_to_grayscale", "rgb_to_grayscale(x)", lambda x: _color._gray(x), pix.rgb_to_grayscale, "not used: slower (a tensordot)"),
        ("adjust_hue (0.1; rgb->hsv->rgb)", "adjust_hue(x, 0.1)", lambda x: _color._shift_hue(x, jnp.float32(0.1)),
         lambda x: pix.adjust_hue(x, 0.1), "not used: slower"),
        ("adjust_hue via rgb_to_hsv/hsv_to_rgb", "hsv_to_rgb(rgb_to_hsv(x) + dh)", lambda x: _color._shift_hue(x, jnp.float32(0.1)),
         lambda x: _pix_hsv_shift(x, 0.1), "not used: slower"),
        ("gaussian_blur (k=5, sigma=1.2)", "gaussian_blur(x, 1.2, 5)", lambda x: F.gaussian_blur(x, 5, 1.2),
         lambda x: pix.gaussian_blur(x, 1.2, 5), "not used: zero padding (torchvision reflects), slower"),
        ("adjust_contrast (0.5)", "adjust_contrast(x, 0.5)", lambda x: F.adjust_contrast(x, 0.5),
         lambda x: pix.adjust_contrast(x, 0.5), "not used: per-channel mean (TensorFlow's meaning)"),
        ("adjust_saturation (1.5)", "adjust_saturation(x, 1.5)", lambda x: F.adjust_saturation(x, 1.5),
         lambda x: pix.adjust_saturation(x, 1.5), "not used: scales HSV saturation (TensorFlow's meaning)"),
        ("adjust_brightness (1.2)", "adjust_brightness(x, 0.2) (additive delta)", lambda x: F.adjust_brightness(x, 1.2),
         lambda x: jnp.clip(pix.adjust_brightness(x, 0.2), 0.0, 1.0), "not used: adds a delta (TensorFlow's meaning)"),
        ("rotate (30 degrees)", "rotate(x, radians(30))", lambda x: _geometry.warp_affine(
            x, _geometry.rotation_matrix(30.0, x.shape[0], x.shape[1]), x.shape[:2]),
         lambda x: pix.rotate(x, math.radians(30.0)), "not used: turns clockwise"),
    ]


def _pix_hsv_shift(x, delta):
    hsv = pix.rgb_to_hsv(x)
    return pix.hsv_to_rgb(hsv.at[..., 0].set(jnp.mod(hsv[..., 0] + delta, 1.0)))


def test_images(batch, size):
    """Half smooth random colour with unequal channel means (0.5, 0.33, 0.25), so a per-channel
    mean and a gray mean differ; half quantised to 8 levels, so channels tie often (gray pixels,
    two equal maxima: where HSV conversions disagree if they disagree anywhere)."""
    u = np.random.default_rng(0).uniform(0.0, 1.0, (batch, size, size, 3))
    x = u ** np.array([1.0, 2.0, 3.0])
    x[batch // 2 :] = np.floor(u[batch // 2 :] * 8.0) / 7.0
    return np.clip(x, 0.0, 1.0).astype(np.float32)


def _interior(a, margin):
    return a[:, margin:-margin, margin:-margin] if a.ndim == 4 else a[margin:-margin, margin:-margin]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=21)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    x = jnp.asarray(test_images(args.batch, args.size))
    rows = []
    for name, pix_call, ours, theirs, decision in candidates():
        f_ours, f_pix = jax.jit(jax.vmap(ours)), jax.jit(jax.vmap(theirs))
        a, b = np.asarray(f_ours(x)), np.asarray(f_pix(x))
        if a.shape != b.shape:
            b = b.reshape(a.shape) if b.size == a.size else b
        diff = float(np.max(np.abs(a - b))) if a.shape == b.shape else float("nan")
        interior = float(np.max(np.abs(_interior(a, 3) - _interior(b, 3)))) if a.shape == b.shape else float("nan")
        times_ours, times_pix = [], []
        for _ in range(args.reps):  # interleaved, so both see the same machine load
            for f, out in ((f_ours, times_ours), (f_pix, times_pix)):
                t0 = time.perf_counter()
                f(x).block_until_ready()
                out.append(time.perf_counter() - t0)
        ratio = statistics.median(p / o for p, o in zip(times_pix, times_ours))
        rows.append((name, pix_call, diff, interior, statistics.median(times_ours) * 1e3, statistics.median(times_pix) * 1e3, ratio, decision))

    header = "| op | dm-pix call | max abs diff (all / 3 px in) | jaxaug's own ms | dm-pix ms | dm-pix / own (paired) | decision |"
    lines = [header, "|---|---|---|---|---|---|---|"]
    for name, call, diff, interior, t_own, t_pix, ratio, decision in rows:
        lines.append(f"| {name} | `{call}` | {diff:.2g} / {interior:.2g} | {t_own:.2f} | {t_pix:.2f} | {ratio:.2f} | {decision} |")
    table = "\n".join(lines)
    print(table)
    env = (f"jax {jax.__version__}, dm-pix {pix.__version__}, {platform.processor() or platform.machine()}, "
           f"{jax.devices()[0].platform}; batch {args.batch} x {args.size}x{args.size}x3 float32 in [0, 1] (see test_images), "
           f"jit(vmap(op)); times are medians of {args.reps} interleaved calls, the ratio the median of "
           "the per-pair ratios (each pair run back to back)")
    args.out.write_text(f"# dm-pix against jaxaug's own formulas\n\nWritten by `python benchmarks/dm_pix_ops.py`; {env}.\n\n{table}\n\n{NOTES}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
