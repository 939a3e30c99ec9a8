"""The policy rows again, with glibc told to keep freed memory on its heap, for both libraries.

Under glibc's defaults every buffer above its mmap threshold (32 MB at most) comes back from
the kernel as fresh pages, and XLA allocates each output afresh: the 77 MB float32 batch of
128 224x224x3 images costs ~19k page faults per call, 28 of the 37 CPU ms that converting the
uint8 batch to float32 takes (benchmarks/README.md). torchvision's per-image loop pays the same
for its stacked batch. These rows run jaxaug (one example at a time, one core) and torchvision
(per image, one thread) each in its own process pinned to one core, both with
``GLIBC_TUNABLES=HEAP_TUNABLES``: one malloc arena (XLA allocates from its worker threads, whose
arenas cannot hold 77 MB) and thresholds above the batch, so a freed batch is reused. A
data-loading process that runs one augmentation worker per core can set it the same way.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from typing import Any

from harness import SIZE, Config, Row, rows_from_child, skipped

NAME = "policies-heap"
ORDER = 86  # after the policies' own rows
POLICIES = ("randaugment", "trivialaugment")
HEAP_TUNABLES = "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=536870912"
SETTING = "heap kept"
LIBRARIES = ("jaxaug", "torchvision")


def pipeline_name(policy: str) -> str:
    """The table's pipeline for a policy under this setting; both libraries' rows share it."""
    return f"{policy} ({SETTING})"


def _jaxaug_rows(cfg: Config) -> list[Row]:
    import jax.numpy as jnp

    import jaxaug as ja
    from harness import bench_jax, guarded, make_images

    x = jnp.asarray(make_images(cfg.batch, 3)[:, :SIZE, :SIZE])
    policies = {"randaugment": ja.RandAugment, "trivialaugment": ja.TrivialAugmentWide}
    impl = "jaxaug, chunk_size=1, 1 core"
    note = f"one example at a time; one core; GLIBC_TUNABLES={HEAP_TUNABLES}"
    rows = []
    for name in POLICIES:
        fn = ja.batch(policies[name](), chunk_size=1)
        pipeline = pipeline_name(name)
        rows.append(guarded(pipeline, impl, lambda: bench_jax(pipeline, impl, fn, (x,), cfg, note, loop_trips=cfg.batch)))
    return rows


def _torchvision_rows(cfg: Config) -> list[Row]:
    import numpy as np

    from harness import bench_eager, guarded, make_images, one_thread

    impl = "torchvision v2, per image"
    try:
        import torch
        from torchvision.transforms import v2
    except ImportError:
        return [skipped(pipeline_name(n), impl, "torchvision not installed") for n in POLICIES]
    x_np = np.ascontiguousarray(make_images(cfg.batch, 3)[:, :SIZE, :SIZE])
    images = list(torch.from_numpy(x_np).permute(0, 3, 1, 2).contiguous().unbind(0))
    theirs = {"randaugment": v2.RandAugment, "trivialaugment": v2.TrivialAugmentWide}
    note = f"uint8 ops, then ToDtype; 1 thread; one core; GLIBC_TUNABLES={HEAP_TUNABLES}"
    rows = []
    for name in POLICIES:
        pipeline = v2.Compose([theirs[name](), v2.ToDtype(torch.float32, scale=True)])

        def per_image(pipeline: Any = pipeline) -> Any:
            with torch.inference_mode(), one_thread():
                return torch.stack([pipeline(img) for img in images])

        label = pipeline_name(name)
        rows.append(guarded(label, impl, lambda label=label, run=per_image: bench_eager(label, impl, run, cfg.batch, cfg, note)))
    return rows


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """RandAugment and TrivialAugmentWide, jaxaug and torchvision, with glibc keeping freed memory."""
    if not hasattr(os, "sched_setaffinity"):
        return [skipped(pipeline_name(p), f"{lib}, {SETTING}", "os.sched_setaffinity is Linux-only") for p in POLICIES for lib in LIBRARIES]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]), "GLIBC_TUNABLES": HEAP_TUNABLES}
    config = json.dumps(asdict(cfg))
    rows = []
    for library in LIBRARIES:
        rows += rows_from_child(
            lambda rows_path, library=library: [sys.executable, os.path.abspath(__file__), rows_path, config, library],
            lambda why, library=library: [skipped(pipeline_name(p), f"{library}, {SETTING}", why) for p in POLICIES],
            env,
        )
    return rows


if __name__ == "__main__":
    # Pin before JAX or torch starts, so that each runs one thread on one core.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    out_path, config, library = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    measure = _jaxaug_rows if library == "jaxaug" else _torchvision_rows
    with open(out_path, "w") as f:
        json.dump([asdict(row) for row in measure(Config(**config))], f)
