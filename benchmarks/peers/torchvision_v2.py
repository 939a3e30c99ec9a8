"""torchvision.transforms.v2: per image on one thread, and on the whole batch."""

from __future__ import annotations

from typing import Any

from harness import IMAGENET_MEAN, IMAGENET_STD, SIDE, SIZE, Config, Row, bench_eager, channels_of, guarded, make_images, one_thread, skipped

NAME = "torchvision"
ORDER = 50  # position in the run and the table's tie-break


def torchvision_pipeline(name: str) -> Any:
    """The torchvision.transforms.v2 pipeline that each jaxaug preset ports."""
    import torch
    from torchvision.transforms import v2

    to_float = v2.ToDtype(torch.float32, scale=True)
    if name == "imagenet":
        return v2.Compose([
            v2.RandomResizedCrop(SIZE, antialias=True),
            v2.RandomHorizontalFlip(),
            v2.ColorJitter(0.4, 0.4, 0.4, 0.1),
            to_float,
            v2.Normalize(IMAGENET_MEAN, IMAGENET_STD),
            v2.RandomErasing(p=0.5),
        ])
    if name == "xray":
        return v2.Compose([
            v2.Resize(SIDE, antialias=True),
            v2.RandomResizedCrop(SIZE, scale=(0.8, 1.0), antialias=True),
            v2.RandomHorizontalFlip(),
            v2.RandomRotation(10),
            v2.ColorJitter(brightness=0.1, contrast=0.1),
            to_float,
            v2.Normalize([0.5], [0.5]),
        ])
    return v2.Compose([
        v2.Resize(SIDE, antialias=True),
        v2.RandomCrop(SIZE),
        v2.RandomHorizontalFlip(),
        v2.RandomVerticalFlip(),
        v2.RandomRotation(90),
        v2.ColorJitter(0.2, 0.2, 0.2, 0.05),
        to_float,
        v2.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """torchvision v2 on uint8 CHW tensors: per image in a loop (then stacked), and on the batch."""
    try:
        import torch
        import torchvision  # noqa: F401
    except ImportError:
        return [skipped(p, "torchvision v2", "torchvision not installed") for p in pipelines]
    rows = []
    for name in pipelines:
        batch = torch.from_numpy(make_images(cfg.batch, channels_of(name))).permute(0, 3, 1, 2).contiguous()
        images = list(batch.unbind(0))
        pipeline = torchvision_pipeline(name)

        def per_image(pipeline: Any = pipeline, images: list[Any] = images) -> Any:
            with torch.inference_mode(), one_thread():
                return torch.stack([pipeline(img) for img in images])

        def on_batch(pipeline: Any = pipeline, batch: Any = batch) -> Any:
            with torch.inference_mode():
                return pipeline(batch)

        impl = "torchvision v2, per image"
        rows.append(guarded(name, impl, lambda: bench_eager(name, impl, per_image, cfg.batch, cfg, "same semantics; Python loop + stack, one process, 1 thread")))
        impl = "torchvision v2, on batch"
        rows.append(guarded(name, impl, lambda: bench_eager(name, impl, on_batch, cfg.batch, cfg, "one draw shared by the whole batch")))
    return rows
