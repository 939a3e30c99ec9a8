"""augmax chains under jit + vmap."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import jaxaug as ja
from harness import SIZE, Config, Row, bench_jax, channels_of, guarded, make_images, skipped

NAME = "augmax"
ORDER = 40  # position in the run and the table's tie-break


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """augmax chains under ``jax.jit(jax.vmap(...))``.

    Differences: RandomSizedCrop draws a square crop by log-uniform zoom (no aspect jitter),
    ColorJitter works per pixel in HSV with a fixed order, and there is no RandomErasing.
    """
    impl = "augmax jit+vmap"
    try:
        import augmax
    except ImportError:
        return [skipped(p, impl, "augmax not installed") for p in pipelines]
    chains = {
        "imagenet": lambda: augmax.Chain(
            augmax.RandomSizedCrop(SIZE, zoom_range=(0.875, 3.1)),
            augmax.HorizontalFlip(),
            augmax.ByteToFloat(),
            augmax.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0),
            augmax.Normalize(),
        ),
        "xray": lambda: augmax.Chain(
            augmax.RandomSizedCrop(SIZE, zoom_range=(0.875, 0.98)),
            augmax.HorizontalFlip(),
            augmax.Rotate((-10, 10)),
            augmax.ByteToFloat(),
            augmax.RandomBrightness((-0.1, 0.1), p=1.0),
            augmax.RandomContrast((-0.1, 0.1), p=1.0),
            augmax.Normalize(mean=np.array([0.5]), std=np.array([0.5])),
        ),
        "pathology": lambda: augmax.Chain(
            augmax.RandomCrop(SIZE, SIZE),
            augmax.HorizontalFlip(),
            augmax.VerticalFlip(),
            augmax.Rotate((-90, 90)),
            augmax.ByteToFloat(),
            augmax.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1.0),
            augmax.Normalize(),
        ),
    }
    notes = {
        "imagenet": "square crop by zoom (no aspect jitter), per-pixel HSV jitter, no erasing",
        "xray": "square crop by zoom, additive brightness/contrast",
        "pathology": "per-pixel HSV jitter in fixed order",
    }
    rows = []
    for name in pipelines:
        x = jnp.asarray(make_images(cfg.batch, channels_of(name)))

        def run(name: str = name, x: jax.Array = x) -> Row:
            chain = chains[name]()
            return bench_jax(name, impl, ja.batch(lambda key, image: chain(key, image)), (x,), cfg, notes[name])

        rows.append(guarded(name, impl, run))
    return rows


# --- torch peers ----------------------------------------------------------------------------
