"""kornia.augmentation on a float batch, a draw per example."""

from __future__ import annotations

from typing import Any

from harness import IMAGENET_MEAN, IMAGENET_STD, SIZE, Config, Row, bench_eager, channels_of, guarded, make_images, skipped

NAME = "kornia"
ORDER = 60  # position in the run and the table's tie-break


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """kornia.augmentation on a float NCHW batch, a draw per example (uint8 -> float included)."""
    impl = "kornia batch"
    try:
        import kornia.augmentation as K
        import torch
    except ImportError:
        return [skipped(p, impl, "kornia not installed") for p in pipelines]
    mean, std = torch.tensor(IMAGENET_MEAN), torch.tensor(IMAGENET_STD)
    pipelines_k = {
        "imagenet": lambda: K.AugmentationSequential(
            K.RandomResizedCrop((SIZE, SIZE)),
            K.RandomHorizontalFlip(),
            K.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0),
            K.Normalize(mean, std),
            K.RandomErasing(p=0.5),
        ),
        "xray": lambda: K.AugmentationSequential(
            K.RandomResizedCrop((SIZE, SIZE), scale=(0.8, 1.0)),
            K.RandomHorizontalFlip(),
            K.RandomRotation(10.0, p=1.0),
            K.ColorJitter(brightness=0.1, contrast=0.1, p=1.0),
            K.Normalize(torch.tensor([0.5]), torch.tensor([0.5])),
        ),
        "pathology": lambda: K.AugmentationSequential(
            K.RandomCrop((SIZE, SIZE)),
            K.RandomHorizontalFlip(),
            K.RandomVerticalFlip(),
            K.RandomRotation(90.0, p=1.0),
            K.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1.0),
            K.Normalize(mean, std),
        ),
    }
    notes = {
        "imagenet": "no antialias in crop resize (as jaxaug)",
        "xray": "rotation is bilinear (torchvision/jaxaug: nearest)",
        "pathology": "rotation is bilinear (torchvision/jaxaug: nearest)",
    }
    rows = []
    for name in pipelines:
        batch = torch.from_numpy(make_images(cfg.batch, channels_of(name))).permute(0, 3, 1, 2).contiguous()

        def run(name: str = name, batch: Any = batch) -> Row:
            pipeline = pipelines_k[name]()

            def once() -> Any:
                with torch.inference_mode():
                    return pipeline(batch.float() / 255.0)

            return bench_eager(name, impl, once, cfg.batch, cfg, notes[name])

        rows.append(guarded(name, impl, run))
    return rows


# --- albumentations -------------------------------------------------------------------------
