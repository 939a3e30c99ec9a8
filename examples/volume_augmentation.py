"""3-D augmentation of a real brain MRI with a label carried through: orthogonal mid-slices.

Volume: nibabel's T1 brain MRI ``anatomical.nii`` (33 x 41 x 25 voxels, 2 mm, LAS), which ships
inside nibabel (no network). The label is a stand-in made from the image itself: the volume
smoothed with ``jaxaug.volume.gaussian_smooth`` and thresholded at its 75th percentile (the
brightest tissue). The pipeline is ``jaxaug.volume.presets.brain_mri`` (affine, bias field,
gamma, Rician noise, per-channel standardisation; no left-right flip, since many brain tasks
are lateralised) followed here by a sharper demonstration of single artefacts at prob=1. Each
row of the PNG shows the three mid-slices; the label is outlined in red, so you can check that
it stays on the anatomy it marks.

    pip install -e '.[examples]'
    python examples/volume_augmentation.py --out volume.png
"""

from __future__ import annotations

import argparse
import os

import jax
import jax.numpy as jnp
import numpy as np

import jaxaug as ja
from jaxaug import volume


def load_t1() -> tuple[np.ndarray, tuple[float, ...]]:
    """nibabel's T1 volume as (S0, S1, S2, 1) float32 in its own units, and its voxel size in mm."""
    import nibabel

    image = nibabel.load(os.path.join(os.path.dirname(nibabel.__file__), "tests", "data", "anatomical.nii"))
    data = np.asarray(image.dataobj, np.float32)  # stored big-endian int16; native float32 for jax
    return data[..., None], tuple(float(z) for z in image.header.get_zooms()[:3])


def threshold_label(t1: np.ndarray) -> np.ndarray:
    smooth = np.asarray(volume.gaussian_smooth(t1, 1.5))[..., 0]
    return (smooth > np.percentile(smooth, 75)).astype(np.int32)


def mid_slices(v: np.ndarray, label: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.take(v[..., 0], v.shape[a] // 2, axis=a), np.take(label, v.shape[a] // 2, axis=a)) for a in range(3)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="volume_augmentation.png", help="PNG to write")
    parser.add_argument("-n", type=int, default=3, help="augmented draws of the preset (default: 3)")
    parser.add_argument("--quick", action="store_true", help="one draw and two artefacts (for the tests)")
    args = parser.parse_args()
    n = 1 if args.quick else args.n

    t1, spacing = load_t1()
    label = threshold_label(t1)
    preset = volume.presets.brain_mri(spacing=spacing)
    # Every draw of the preset in one call: one key per example, as in training.
    views, view_labels = jax.jit(ja.batch(preset))(jax.random.key(0), jnp.stack([t1] * n), jnp.stack([label] * n))
    # Single artefacts, always applied, so each one is visible.
    showcase = {
        "RandBiasField(degree 3)": volume.RandBiasField(prob=1),
        "RandAffine(rotate 0.3 rad)": volume.RandAffine(prob=1, rotate_range=((0.3, 0.3), 0.0, 0.0), spacing=spacing),
        "RandGibbsNoise(alpha 0.6)": volume.RandGibbsNoise(prob=1, alpha=(0.6, 0.6)),
        "RandRicianNoise(std 0.3 rel.)": volume.RandRicianNoise(prob=1, std=0.3, relative=True, sample_std=False),
    }
    if args.quick:
        showcase = dict(list(showcase.items())[1:3])
    rows = [("original", t1, label)]
    rows += [(f"brain_mri draw {i}", np.asarray(views[i]), np.asarray(view_labels[i])) for i in range(n)]
    for k, (name, t) in enumerate(showcase.items()):
        out, out_label = t(jax.random.key(k + 1), t1, label)
        rows.append((name, np.asarray(out), np.asarray(out_label)))

    # The label is carried, not recomputed: intensity steps leave it as it was.
    np.testing.assert_array_equal(rows[-1][2], label)
    assert all(r[2].shape == label.shape and set(np.unique(r[2])) <= {0, 1} for r in rows)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(rows), 3, figsize=(6.5, 2.0 * len(rows)))
    for r, (name, v, lab) in enumerate(rows):
        lo, hi = np.percentile(v, [1, 99])
        for a, (image, mask) in enumerate(mid_slices(v, lab)):
            ax = axes[r, a]
            ax.imshow(image.T, cmap="gray", vmin=lo, vmax=hi, origin="lower")
            ax.contour(mask.T, levels=[0.5], colors="red", linewidths=0.8, origin="lower")
            ax.set_xticks([])
            ax.set_yticks([])
            if a == 0:
                ax.set_ylabel(name, fontsize=7)
            if r == 0:
                ax.set_title(f"mid-slice across axis {a}", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(f"wrote {args.out}: {len(rows)} rows, T1 {t1.shape[:3]} at {spacing} mm, label outlined")


if __name__ == "__main__":
    main()
