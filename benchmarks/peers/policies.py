"""The automatic policies: jaxaug's RandAugment and TrivialAugmentWide (a draw per example)
against torchvision v2's per image (its policies draw once per call, so per image is the
like-for-like loop)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

import jaxaug as ja
from harness import SIZE, Config, Row, bench_eager, bench_jax, guarded, make_images, one_thread, skipped

NAME = "policies"
ORDER = 85  # position in the run and the table's tie-break
POLICIES = ("randaugment", "trivialaugment")
ONE_AT_A_TIME = "jaxaug, chunk_size=1"


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """RandAugment and TrivialAugmentWide on uint8 224x224 RGB, float32 out."""
    x_np = np.ascontiguousarray(make_images(cfg.batch, 3)[:, :SIZE, :SIZE])
    x = jnp.asarray(x_np)
    ours = {"randaugment": ja.RandAugment, "trivialaugment": ja.TrivialAugmentWide}
    rows = []
    for n in POLICIES:
        note = "224x224 uint8 in; under vmap every op of the table runs for every example"
        rows.append(guarded(n, "jaxaug", lambda n=n: bench_jax(n, "jaxaug", ja.batch(ours[n]()), (x,), cfg, note)))
        # One example at a time, without vmap: each runs only its drawn ops (the CPU setting).
        note = "224x224 uint8 in; one example at a time, only the drawn ops run"
        rows.append(
            guarded(
                n,
                ONE_AT_A_TIME,
                lambda n=n: bench_jax(n, ONE_AT_A_TIME, ja.batch(ours[n](), chunk_size=1), (x,), cfg, note, loop_trips=cfg.batch),
            )
        )
    return rows + torchvision_rows(cfg, x_np, "uint8 ops, then ToDtype; 1 thread")


def torchvision_rows(cfg: Config, x_np: Any, note: str) -> list[Row]:
    """torchvision v2's RandAugment and TrivialAugmentWide per image on the uint8 batch `x_np`."""
    impl = "torchvision v2, per image"
    try:
        import torch
        from torchvision.transforms import v2
    except ImportError:
        return [skipped(n, impl, "torchvision not installed") for n in POLICIES]
    images = list(torch.from_numpy(x_np).permute(0, 3, 1, 2).contiguous().unbind(0))
    theirs = {"randaugment": v2.RandAugment, "trivialaugment": v2.TrivialAugmentWide}
    rows = []
    for n in POLICIES:
        pipeline = v2.Compose([theirs[n](), v2.ToDtype(torch.float32, scale=True)])

        def per_image(pipeline: Any = pipeline) -> Any:
            with torch.inference_mode(), one_thread():
                return torch.stack([pipeline(img) for img in images])

        rows.append(guarded(n, impl, lambda n=n, run=per_image: bench_eager(n, impl, run, cfg.batch, cfg, note)))
    return rows
