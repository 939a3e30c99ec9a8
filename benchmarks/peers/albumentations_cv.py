"""albumentations per image on uint8 numpy (OpenCV), one thread."""

from __future__ import annotations

from typing import Any

import numpy as np

from harness import IMAGENET_MEAN, IMAGENET_STD, SIZE, Config, Row, bench_eager, channels_of, guarded, make_images, one_thread, skipped

NAME = "albumentations"
ORDER = 70  # position in the run and the table's tie-break


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """albumentations per image on numpy HWC uint8 (OpenCV), then stacked."""
    impl = "albumentations, per image"
    try:
        import albumentations as A
    except ImportError:
        return [skipped(p, impl, "albumentations not installed") for p in pipelines]
    pipelines_a = {
        "imagenet": lambda: A.Compose([
            A.RandomResizedCrop((SIZE, SIZE)),
            A.HorizontalFlip(),
            A.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0),
            A.Normalize(IMAGENET_MEAN, IMAGENET_STD),
            A.Erasing(p=0.5),
        ]),
        "xray": lambda: A.Compose([
            A.RandomResizedCrop((SIZE, SIZE), scale=(0.8, 1.0)),
            A.HorizontalFlip(),
            A.Rotate(10, interpolation=0, p=1.0),
            A.ColorJitter(0.1, 0.1, 0.0, 0.0, p=1.0),
            A.Normalize((0.5,), (0.5,)),
        ]),
        "pathology": lambda: A.Compose([
            A.RandomCrop(SIZE, SIZE),
            A.HorizontalFlip(),
            A.VerticalFlip(),
            A.Rotate(90, interpolation=0, p=1.0),
            A.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1.0),
            A.Normalize(IMAGENET_MEAN, IMAGENET_STD),
        ]),
    }
    rows = []
    for name in pipelines:
        images = list(make_images(cfg.batch, channels_of(name)))

        def run(name: str = name, images: list[np.ndarray] = images) -> Row:
            pipeline = pipelines_a[name]()

            def once() -> Any:
                with one_thread():
                    return np.stack([pipeline(image=img)["image"] for img in images])

            return bench_eager(name, impl, once, cfg.batch, cfg, "colour ops on uint8 (OpenCV LUTs); one process, 1 thread")

        rows.append(guarded(name, impl, run))
    return rows


# --- mixup / cutmix peers -------------------------------------------------------------------
