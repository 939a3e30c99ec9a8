"""The per-core rows again with glibc told to keep freed memory on its heap, for every library.

Under glibc's defaults every buffer above its mmap threshold (32 MB at most) comes back from
the kernel as fresh pages, and XLA allocates each output afresh: the 77 MB float32 batch of
128 224x224x3 images costs ~19k page faults per call, 28 of the 37 CPU ms that converting the
uint8 batch to float32 takes (benchmarks/README.md). The per-image libraries pay it too, for
their stacked batch and their per-image buffers. These rows rerun jaxaug on one core (the
presets in chunks of 8, the policies one example at a time), albumentations per image and
torchvision's policies per image, each in its own process pinned to one core, all with
``GLIBC_TUNABLES=HEAP_TUNABLES``: one malloc arena (XLA allocates from worker threads, whose
arenas cannot hold 77 MB) and thresholds above the batch, so that freed buffers are reused.
Their pipelines are labelled "(heap kept)" and compared only with each other.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, replace
from harness import PIPELINES, SIZE, Config, Row, child_env, pin_to_one_core, rows_from_child, skipped

NAME = "heap-kept"
ORDER = 86  # after the policies' own rows
POLICIES = ("randaugment", "trivialaugment")  # as peers/policies.py
HEAP_TUNABLES = "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=536870912"
SETTING = "heap kept"
LIBRARIES = ("jaxaug", "albumentations", "torchvision")


def labelled(rows: list[Row]) -> list[Row]:
    """The rows with their pipeline marked as measured under this setting, and the setting noted."""
    return [replace(r, pipeline=f"{r.pipeline} ({SETTING})", notes=f"{r.notes}; GLIBC_TUNABLES={HEAP_TUNABLES}".lstrip("; ")) for r in rows]


def _torchvision_policy_rows(cfg: Config) -> list[Row]:
    from harness import make_images
    from peers import policies

    x_np = make_images(cfg.batch, 3)[:, :SIZE, :SIZE].copy()
    return policies.torchvision_rows(cfg, x_np, "uint8 ops, then ToDtype; 1 thread; one core")


def _rows(library: str, cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """One library's rows, measured in this process (already pinned, with the setting)."""
    if library == "jaxaug":
        from peers import jaxaug_one_core

        return jaxaug_one_core._rows_pinned(cfg, pipelines)
    if library == "albumentations":
        from peers import albumentations_cv

        return albumentations_cv.run(cfg, pipelines)
    return _torchvision_policy_rows(cfg)


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """jaxaug (one core), albumentations and torchvision's policies, with glibc keeping freed memory."""
    if not hasattr(os, "sched_setaffinity"):
        return [skipped(f"{p} ({SETTING})", SETTING, "os.sched_setaffinity is Linux-only") for p in (*pipelines, *POLICIES)]
    env = child_env(GLIBC_TUNABLES=HEAP_TUNABLES)
    config = json.dumps(asdict(cfg))
    rows = []
    for library in LIBRARIES:
        rows += rows_from_child(
            lambda rows_path, library=library: [sys.executable, os.path.abspath(__file__), rows_path, config, library, ",".join(pipelines)],
            lambda why, library=library: [skipped(f"{p} ({SETTING})", f"{library}, {SETTING}", why) for p in (*pipelines, *POLICIES)],
            env,
        )
    return rows


if __name__ == "__main__":
    # Pin before JAX, torch or OpenCV starts, so that each runs one thread on one core.
    pin_to_one_core()
    out_path, config, library, names = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
    chosen = tuple(n for n in names.split(",") if n in PIPELINES)
    with open(out_path, "w") as f:
        json.dump([asdict(row) for row in labelled(_rows(library, Config(**config), chosen))], f)
