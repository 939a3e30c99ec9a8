"""Pictures of what a volume pipeline does: three orthogonal mid-slices of the original and of
N augmented draws, the label outlined in red.

Computed with numpy; writing the PNG uses ``jaxaug._preview.save_png`` (Pillow). Reading NIfTI
needs nibabel (``pip install 'jaxaug[examples]'``), imported only when a file is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxaug._compose import batch

_PAD = 4
_OUTLINE = np.array([1.0, 0.15, 0.15])


def phantom_volume(shape: tuple[int, int, int] = (64, 72, 48), seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A drawn CT stand-in in Hounsfield units and its label, asymmetric on purpose.

    Returns ``(volume, label)``: (S0, S1, S2, 1) int16 (air -1000, body 40, a spine 700, a
    "liver" 60 on one side) and (S0, S1, S2) int32 (1 where the liver is, 2 for a lesion in it).
    """
    rng = np.random.default_rng(seed)
    i, j, k = np.meshgrid(*(np.linspace(-1, 1, n) for n in shape), indexing="ij")
    hu = np.full(shape, -1000.0)
    body = (i / 0.9) ** 2 + (j / 0.75) ** 2 < 1
    hu[body] = 40.0
    spine = ((i - 0.0) / 0.12) ** 2 + ((j - 0.55) / 0.12) ** 2 < 1
    hu[spine] = 700.0
    liver = ((i + 0.35) / 0.35) ** 2 + ((j + 0.1) / 0.35) ** 2 + ((k - 0.1) / 0.6) ** 2 < 1
    hu[liver] = 60.0
    lesion = ((i + 0.4) / 0.12) ** 2 + ((j + 0.15) / 0.12) ** 2 + ((k - 0.2) / 0.2) ** 2 < 1
    hu[lesion] = 20.0
    lungs = [((i - 0.0) / 0.5) ** 2 + ((j - cj) / 0.25) ** 2 + ((k + 0.5) / 0.5) ** 2 < 1 for cj in (-0.35, 0.35)]
    for lung in lungs:
        hu[lung & ~liver] = -850.0
    hu += rng.normal(0.0, 10.0, shape)
    label = liver.astype(np.int32) + lesion.astype(np.int32)
    return hu.round().astype(np.int16)[..., None], label


def phantom_brain(shape: tuple[int, int, int] = (56, 64, 44), seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A drawn T1-like head in MR intensities and its label, asymmetric on purpose.

    Returns ``(volume, label)``: (S0, S1, S2, 1) float32 (air 0, scalp 150, brain 300, a
    ventricle 80, a lesion 450 in the left hemisphere, axis 0 running left-right) and
    (S0, S1, S2) int32 (1 brain, 2 lesion).
    """
    rng = np.random.default_rng(seed)
    i, j, k = np.meshgrid(*(np.linspace(-1, 1, n) for n in shape), indexing="ij")
    head = (i / 0.85) ** 2 + (j / 0.9) ** 2 + (k / 0.85) ** 2 < 1
    brain = (i / 0.75) ** 2 + (j / 0.8) ** 2 + (k / 0.72) ** 2 < 1
    ventricle = ((np.abs(i) - 0.12) / 0.08) ** 2 + (j / 0.3) ** 2 + (k / 0.15) ** 2 < 1
    lesion = ((i + 0.4) / 0.2) ** 2 + (j / 0.2) ** 2 + (k / 0.2) ** 2 < 1
    mr = np.where(head, 150.0, 0.0)
    mr = np.where(brain, 300.0, mr)
    mr = np.where(ventricle & brain, 80.0, mr)
    mr = np.where(lesion, 450.0, mr)
    mr = np.abs(mr + rng.normal(0.0, 6.0, shape) * head)
    label = brain.astype(np.int32) + (lesion & brain).astype(np.int32)
    return mr.astype(np.float32)[..., None], label


def threshold_label(volume: np.ndarray, percentile: float = 75.0, sigma: float = 1.5) -> np.ndarray:
    """A stand-in label for a volume without one: its first channel smoothed with
    ``jaxaug.volume.gaussian_smooth`` and thresholded at a percentile, (S0, S1, S2) int32."""
    from jaxaug.volume import gaussian_smooth

    smooth = np.asarray(gaussian_smooth(np.asarray(volume[..., :1], np.float32), sigma))[..., 0]
    return (smooth > np.percentile(smooth, percentile)).astype(np.int32)


def load_volume(path: str | Path) -> np.ndarray:
    """Read a NIfTI file (.nii, .nii.gz) as (S0, S1, S2, C) in its stored units: 4-D files keep
    their fourth axis as channels, 3-D files gain one channel."""
    try:
        import nibabel
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise SystemExit("reading NIfTI needs nibabel: pip install 'jaxaug[examples]'") from err
    data = np.asarray(nibabel.load(str(path)).dataobj)
    data = data.astype(data.dtype.newbyteorder("="))  # NIfTI may be big-endian; jax takes native order
    if data.ndim == 3:
        data = data[..., None]
    if data.ndim != 4:
        raise SystemExit(f"{path}: expected a 3-D or 4-D NIfTI volume, got shape {data.shape}")
    return data


def _display(volume: np.ndarray, windowed: bool = False) -> np.ndarray:
    """Map a volume to [0, 1] for display (first channel): as it is after a window, else by its
    own 1st and 99th percentiles."""
    v = np.asarray(volume, np.float64)[..., 0]
    if windowed:
        return np.clip(v, 0.0, 1.0)
    finite = v[np.isfinite(v)]
    lo, hi = np.percentile(finite, [1, 99]) if finite.size else (0.0, 1.0)
    return np.clip((v - lo) / max(hi - lo, 1e-6), 0.0, 1.0)


def _outline(label: np.ndarray) -> np.ndarray:
    """Pixels of a 2-D label whose right or lower neighbour has another class (its borders)."""
    edge = np.zeros(label.shape, bool)
    edge[:-1] |= label[:-1] != label[1:]
    edge[1:] |= label[:-1] != label[1:]
    edge[:, :-1] |= label[:, :-1] != label[:, 1:]
    edge[:, 1:] |= label[:, :-1] != label[:, 1:]
    return edge


def _mid_slices(gray: np.ndarray, label: np.ndarray | None) -> list[np.ndarray]:
    """The three orthogonal slices through the centre, (rows, cols, 3) each, label outlined."""
    tiles = []
    for axis in range(3):
        index = gray.shape[axis] // 2
        tile = np.repeat(np.take(gray, index, axis=axis)[..., None], 3, axis=-1)
        if label is not None:
            tile[_outline(np.take(label, index, axis=axis))] = _OUTLINE
        tiles.append(tile)
    return tiles


def volume_preview_grid(
    pipeline: Any, volume: np.ndarray, label: np.ndarray | None = None, n: int = 4, seed: int = 0, zoom: int = 0
) -> np.ndarray:
    """Rows: the original, then `n` augmented draws; columns: the mid-slices across spatial axes
    0, 1 and 2. A pipeline that starts with a window shows every row through it; otherwise each
    row is scaled for display on its own. Returns (H, W, 3) uint8.

    A pipeline that returns several patches per volume (RandCropByPosNegLabel) shows its first.
    `zoom` (0: automatic) repeats voxels so that small volumes are visible.
    """
    volume = np.asarray(volume)
    keys_volume = jnp.stack([jnp.asarray(volume)] * n)
    if label is None:
        views = np.asarray(batch(pipeline)(jax.random.key(seed), keys_volume), np.float32)
        view_labels = [None] * n
    else:
        out, out_labels = batch(pipeline)(jax.random.key(seed), keys_volume, jnp.stack([jnp.asarray(label)] * n))
        views, view_labels = np.asarray(out, np.float32), list(np.asarray(out_labels))
    if views.ndim == 6:  # (n, num_samples, S0, S1, S2, C): the first patch
        views = views[:, 0]
        view_labels = [None if lab is None else lab[0] for lab in view_labels]
    view_labels = [None if lab is None else (lab[..., 0] if lab.ndim == 4 else lab) for lab in view_labels]
    first = pipeline.transforms[0] if hasattr(pipeline, "transforms") else pipeline
    # The original is shown through the pipeline's window, when it starts with one.
    windowed = type(first).__name__ == "ScaleIntensityRange"
    shown = first.apply((), volume) if windowed else volume
    rows = [_mid_slices(_display(np.asarray(shown), windowed), label)]
    rows += [_mid_slices(_display(v, windowed), lab) for v, lab in zip(views, view_labels)]
    cell_h = max(t.shape[0] for row in rows for t in row)
    cell_w = max(t.shape[1] for row in rows for t in row)
    zoom = zoom or max(1, 160 // max(cell_h, cell_w))
    cell_h, cell_w = cell_h * zoom, cell_w * zoom
    grid = np.ones((len(rows) * (cell_h + _PAD) + _PAD, 3 * (cell_w + _PAD) + _PAD, 3))
    for r, row in enumerate(rows):
        for c, tile in enumerate(row):
            tile = tile.repeat(zoom, axis=0).repeat(zoom, axis=1)
            top, left = _PAD + r * (cell_h + _PAD), _PAD + c * (cell_w + _PAD)
            grid[top : top + tile.shape[0], left : left + tile.shape[1]] = tile
    # A red bar left of the first row marks the original.
    grid[_PAD : _PAD + cell_h, : _PAD - 1] = _OUTLINE
    return (grid * 255).round().astype(np.uint8)
