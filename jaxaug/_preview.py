"""Pictures of what a pipeline does: the original beside N augmented views.

The grid is computed with numpy only; writing the PNG needs Pillow (``pip install
'jaxaug[preview]'``), imported only when a file is written.
"""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from jaxaug._compose import Compose, batch
from jaxaug._image_transforms import Normalize, Resize
from jaxaug._policies import AugMix, AutoAugment, RandAugment, TrivialAugmentWide
from jaxaug.image import _color


# The natural-image policies on their own, for a look at what they do (no modality preset
# uses them: they change densities and stain intensities).
POLICY_PREVIEWS = {
    "autoaugment": lambda: Compose([Resize(224), AutoAugment()]),
    "randaugment": lambda: Compose([Resize(224), RandAugment()]),
    "trivialaugment": lambda: Compose([Resize(224), TrivialAugmentWide()]),
    "augmix": lambda: Compose([Resize(224), AugMix()]),
}


def phantom_chest(size: int = 320) -> np.ndarray:
    """A drawn chest radiograph stand-in, (size, size, 1) uint8, asymmetric on purpose.

    Lungs, mediastinum, a heart shadow to the patient's left (image right), ribs, a spine, and
    an "L" marker in one corner, so flips and turns are visible at a glance.
    """
    y, x = np.mgrid[0:size, 0:size] / size
    img = 0.15 + 0.1 * y
    body = ((x - 0.5) / 0.46) ** 2 + ((y - 0.55) / 0.5) ** 2 < 1
    img = np.where(body, 0.55, img)
    for cx in (0.32, 0.68):
        lung = ((x - cx) / 0.15) ** 2 + ((y - 0.45) / 0.3) ** 2 < 1
        img = np.where(lung, 0.2 + 0.05 * np.sin(40 * y), img)
    heart = ((x - 0.58) / 0.13) ** 2 + ((y - 0.62) / 0.12) ** 2 < 1
    img = np.where(heart, 0.6, img)
    spine = (np.abs(x - 0.5) < 0.03) & (y > 0.1)
    img = np.where(spine, 0.8, img)
    for k in range(7):
        rib = (np.abs(y - (0.22 + 0.07 * k) - 0.08 * (x - 0.5) ** 2 * 4) < 0.008) & body & (np.abs(x - 0.5) > 0.04)
        img = np.where(rib, img + 0.25, img)
    marker = ((np.abs(x - 0.08) < 0.012) & (np.abs(y - 0.1) < 0.05)) | ((np.abs(y - 0.145) < 0.012) & (x > 0.068) & (x < 0.13))
    img = np.where(marker, 1.0, img)
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)[..., None]


def phantom_tissue(size: int = 320, seed: int = 0) -> np.ndarray:
    """A drawn H&E-like tile, (size, size, 3) uint8: pink stroma with purple nuclei."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    img = np.ones((size, size, 3)) * np.array([0.93, 0.75, 0.85])
    img -= 0.08 * (np.sin(x / 9.0 + np.sin(y / 23.0) * 3) > 0.6)[..., None] * np.array([0.1, 0.5, 0.2])
    for cy, cx, r in zip(rng.uniform(0, size, 160), rng.uniform(0, size, 160), rng.uniform(3, 8, 160)):
        nucleus = (y - cy) ** 2 + (x - cx) ** 2 < r**2
        img[nucleus] = np.array([0.35, 0.2, 0.55])
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def _display(pipeline: object, views: np.ndarray) -> np.ndarray:
    """Undo the last Normalize so the views show as images in [0, 1]."""
    steps = pipeline.transforms if isinstance(pipeline, Compose) else [pipeline]
    norms = [t for t in steps if isinstance(t, Normalize)]
    if norms:
        c = views.shape[-1]
        mean = np.array(norms[-1].mean * (c if len(norms[-1].mean) == 1 else 1)).reshape(1, 1, 1, c)
        std = np.array(norms[-1].std * (c if len(norms[-1].std) == 1 else 1)).reshape(1, 1, 1, c)
        views = views * std + mean
    return np.clip(views, 0.0, 1.0)


def preview_grid(pipeline: object, image: np.ndarray, n: int = 8, seed: int = 0, columns: int = 3) -> np.ndarray:
    """The original and `n` augmented views in a grid, as an (rows*S, cols*S, 3) uint8 array."""
    image = np.asarray(image)
    views = np.asarray(batch(pipeline)(jax.random.key(seed), jnp.stack([jnp.asarray(image)] * n)), np.float32)
    views = _display(pipeline, views)
    size = views.shape[1:3]
    original = np.asarray(jax.image.resize(_color.to_float(jnp.asarray(image)).astype(jnp.float32), (*size, image.shape[-1]), "linear"))
    tiles = np.concatenate([original[None], views], axis=0)
    if tiles.shape[-1] == 1:
        tiles = np.repeat(tiles, 3, axis=-1)
    rows = -(-len(tiles) // columns)
    pad = 4
    grid = np.ones((rows * (size[0] + pad) + pad, columns * (size[1] + pad) + pad, 3), np.float32)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        top, left = pad + r * (size[0] + pad), pad + c * (size[1] + pad)
        grid[top : top + size[0], left : left + size[1]] = tile
    # A red frame marks the original.
    grid[pad - 2 : pad, pad - 2 : pad + size[1] + 2] = grid[pad + size[0] : pad + size[0] + 2, pad - 2 : pad + size[1] + 2] = (1, 0, 0)
    grid[pad - 2 : pad + size[0] + 2, pad - 2 : pad] = grid[pad - 2 : pad + size[0] + 2, pad + size[1] : pad + size[1] + 2] = (1, 0, 0)
    return (grid * 255).round().astype(np.uint8)


def with_title(grid: np.ndarray, title: str) -> np.ndarray:
    """The grid with a white band above it holding `title` (one or more lines) in black."""
    pil = _pil()
    import PIL.ImageDraw
    import PIL.ImageFont

    font = PIL.ImageFont.load_default(size=14)
    band = 8 + 18 * (title.count("\n") + 1)
    canvas = pil.Image.new("RGB", (grid.shape[1], grid.shape[0] + band), "white")
    canvas.paste(pil.Image.fromarray(grid), (0, band))
    PIL.ImageDraw.Draw(canvas).text((6, 4), title, fill="black", font=font)
    return np.asarray(canvas)


def load_image(path: str | Path) -> np.ndarray:
    """Read a PNG/JPEG (Pillow) or DICOM (pydicom) file as (H, W, C) uint8.

    A missing file raises FileNotFoundError and a file that is not an image ValueError, each
    naming the path.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path} (the current folder is {Path.cwd()})")
    if path.suffix.lower() in (".dcm", ".dicom"):
        try:
            import pydicom
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise SystemExit("reading DICOM needs pydicom: pip install 'jaxaug[examples]'") from err
        ds = pydicom.dcmread(path)
        pixels = ds.pixel_array.astype(np.float64)
        lo, hi = np.percentile(pixels, [1, 99])
        scaled = np.clip((pixels - lo) / max(hi - lo, 1e-6), 0, 1)
        return (scaled * 255).astype(np.uint8)[..., None]
    try:
        image = _pil().Image.open(path)
    except _pil().UnidentifiedImageError as err:
        raise ValueError(f"{path} is not an image Pillow can read (PNG, JPEG, ...) nor a .dcm file") from err
    array = np.asarray(image.convert("L" if image.mode in ("L", "I", "I;16", "F") else "RGB"))
    return array[..., None] if array.ndim == 2 else array


def save_png(grid: np.ndarray, path: str | Path) -> None:
    """Write an (H, W, 3) uint8 array as a PNG."""
    _pil().Image.fromarray(grid).save(path)


def _pil():  # noqa: ANN202 - a module
    try:
        import PIL.Image
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise SystemExit("writing pictures needs Pillow: pip install 'jaxaug[preview]'") from err
    return PIL
