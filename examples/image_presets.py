"""The four presets on real medical images that ship offline, with a mask carried through.

Images: pydicom's CT slice (Hounsfield units, windowed to soft tissue) and MR slice, and
matplotlib's MRI head slice. The mask is the body: each image thresholded, the largest connected
region kept and its holes filled (scipy, which scikit-learn in the `examples` extra brings), so
its outline follows the anatomy. It follows every geometric step by nearest neighbour and is
drawn as a red outline on each view, so you can check that image and mask stay aligned.

    pip install -e '.[examples]'
    python examples/image_presets.py --out presets.png
"""

from __future__ import annotations

import argparse
import gzip

import jax
import jax.numpy as jnp
import numpy as np

import jaxaug as ja
from jaxaug import presets


def load_images() -> dict[str, np.ndarray]:
    """Real slices as (H, W, 1) uint8, windowed for display."""
    import matplotlib.cbook
    import pydicom
    from pydicom.data import get_testdata_file

    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    hu = ct.pixel_array * float(ct.RescaleSlope) + float(ct.RescaleIntercept)
    # Hounsfield units are not [0, 1]: jaxaug's colour steps would refuse them. The soft-tissue
    # window (level 40 HU, width 400 HU) maps them there; the lung window is (-600, 1500).
    ct_window = np.asarray(ja.image.window(hu, center=40.0, width=400.0))
    mr = pydicom.dcmread(get_testdata_file("MR_small.dcm")).pixel_array.astype(np.float64)
    with gzip.open(matplotlib.cbook.get_sample_data("s1045.ima.gz", asfileobj=False)) as f:
        head = np.frombuffer(f.read(), ">u2").reshape(256, 256).astype(np.float64)
    scale = lambda a: np.clip(a / np.percentile(a, 99.5), 0, 1)  # noqa: E731
    return {
        "CT (pydicom)": (ct_window * 255).astype(np.uint8)[..., None],
        "MR (pydicom)": (scale(mr) * 255).astype(np.uint8)[..., None],
        "MRI head (matplotlib)": (scale(head) * 255).astype(np.uint8)[..., None],
    }


def body_mask(image: np.ndarray) -> np.ndarray:
    """The body, (H, W) int32: 1 inside, 0 outside.

    A plain threshold marks noise in the air and dark tissue inside the body alike, which
    outlines speckle. Thresholding, then keeping the largest connected region (the body) and
    filling its holes (lungs, fat, ventricles) gives one region whose edge is the skin. Where
    the body fills the frame (pydicom's MR slice is a crop inside the head) the mask is the
    whole frame.
    """
    from scipy import ndimage

    bright = image[..., 0] > 0.1 * np.percentile(image, 99)
    # Closing bridges thin dark gaps (a fat layer under the skin); padding first keeps it from
    # pulling the mask in where the body touches the frame.
    pad = 2
    bright = ndimage.binary_closing(np.pad(bright, pad, mode="edge"), iterations=pad)[pad:-pad, pad:-pad]
    labels, count = ndimage.label(bright)
    if count == 0:
        return np.zeros(image.shape[:2], np.int32)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0  # the background is not a region
    body = labels == sizes.argmax()
    return ndimage.binary_fill_holes(body).astype(np.int32)


def outline(mask: np.ndarray) -> np.ndarray:
    inner = mask.copy()
    inner[1:-1, 1:-1] = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    return (mask == 1) & (inner == 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="image_presets.png", help="PNG to write")
    parser.add_argument("--views", type=int, default=4, help="augmented views per row")
    parser.add_argument("--quick", action="store_true", help="one image, two presets, two views (for the test suite)")
    args = parser.parse_args()
    n_views = 2 if args.quick else args.views

    images = load_images()
    pipelines = {
        "xray_train": presets.xray_train(size=128, resize=144),
        "pathology_train": presets.pathology_train(size=128, resize=144),
        "imagenet_train": presets.imagenet_train(size=128),
        "eval_transform": presets.eval_transform(size=128, resize=144),
    }
    if args.quick:
        images = dict(list(images.items())[:1])
        pipelines = {name: pipelines[name] for name in ("xray_train", "eval_transform")}
    rows = []
    for image_name, image in images.items():
        rgb = np.repeat(image, 3, axis=-1)
        mask = body_mask(image)
        for preset_name, pipeline in pipelines.items():
            source = image if preset_name == "xray_train" else rgb
            run = jax.jit(ja.batch(pipeline))
            views, masks = run(jax.random.key(len(rows)), jnp.stack([jnp.asarray(source)] * n_views), jnp.stack([jnp.asarray(mask)] * n_views))
            norm = [t for t in pipeline.transforms if isinstance(t, ja.Normalize)][-1]
            mean = np.resize(np.array(norm.mean), views.shape[-1])
            std = np.resize(np.array(norm.std), views.shape[-1])
            shown = np.clip(np.asarray(views) * std + mean, 0, 1)
            if shown.shape[-1] == 1:
                shown = np.repeat(shown, 3, axis=-1)
            tiles = [np.array(jax.image.resize(jnp.asarray(rgb, jnp.float32) / 255, (128, 128, 3), "linear"))]
            tiles[0][outline(np.asarray(jax.image.resize(jnp.asarray(mask, jnp.float32), (128, 128), "nearest")).astype(np.int32))] = (1, 0, 0)
            for view, view_mask in zip(shown, np.asarray(masks)):
                view = view.copy()
                view[outline(view_mask)] = (1, 0, 0)
                tiles.append(view)
            rows.append((f"{image_name.replace(' (', chr(10) + '(')}\n{preset_name}", np.concatenate(tiles, axis=1)))
        print(f"{image_name}: {image.shape[0]}x{image.shape[1]}, {len(pipelines)} presets, {n_views} views each")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Margins in inches: room for the title and column names above the first row, and for the
    # row names at the left (tight and constrained layouts let them overlap or cut them off).
    width, height = 1.6 * (n_views + 1) + 1.3, 1.7 * len(rows) + 0.6
    fig, axes = plt.subplots(len(rows), 1, figsize=(width, height))
    fig.subplots_adjust(left=1.2 / width, right=1 - 0.05 / width, top=1 - 0.55 / height, bottom=0.05 / height, hspace=0.08)
    for row, (ax, (title, strip)) in enumerate(zip(np.atleast_1d(axes), rows)):
        ax.imshow(strip)
        ax.set_ylabel(title, fontsize=8, rotation=0, ha="right", va="center")
        columns = ["original"] + [f"view {i + 1}" for i in range(n_views)] if row == 0 else []
        ax.set_xticks([(i + 0.5) * 128 for i in range(len(columns))], columns, fontsize=8)
        ax.xaxis.set_ticks_position("top")
        ax.tick_params(length=0, pad=2)
        ax.set_yticks([])
    fig.suptitle("original (left) and augmented views; red: the body mask carried through", fontsize=10, y=1 - 0.08 / height)
    fig.savefig(args.out, dpi=80)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
