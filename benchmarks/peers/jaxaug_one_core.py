"""jaxaug with its process pinned to one CPU core, as albumentations and torchvision run per image.

On two cores XLA splits each chunk's loops between two threads, and for work this small the
hand-offs cost CPU time: the same calls took 8% (presets) to 30% (policies, one example at a
time) less CPU time on one core (benchmarks/README.md). A data loader that runs one worker per
core wants this setting. XLA sizes its thread pool from the cores the process may use when
the backend starts, so the rows run in a child process that pins itself before JAX starts.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict

from harness import CHUNK, PIPELINES, SIZE, Config, Row, child_env, pin_to_one_core, rows_from_child, skipped

NAME = "jaxaug-1core"
ORDER = 12  # after jaxaug's own rows
ONE_CORE = "1 core"
POLICIES = ("randaugment", "trivialaugment")


def _rows_pinned(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """The rows, measured in this process (already pinned to one core)."""
    import jax.numpy as jnp

    import jaxaug as ja
    from harness import bench_jax, channels_of, guarded, make_images

    presets = {"imagenet": ja.presets.imagenet_train, "xray": ja.presets.xray_train, "pathology": ja.presets.pathology_train}
    rows = []
    for name in pipelines:
        x = jnp.asarray(make_images(cfg.batch, channels_of(name)))
        impl = f"jaxaug, chunk_size={CHUNK}, {ONE_CORE}"
        note = f"{CHUNK} examples at a time; process pinned to one core"
        fn = ja.batch(presets[name](), chunk_size=CHUNK)
        rows.append(guarded(name, impl, lambda: bench_jax(name, impl, fn, (x,), cfg, note, loop_trips=-(-cfg.batch // CHUNK))))
    x = jnp.asarray(make_images(cfg.batch, 3)[:, :SIZE, :SIZE])
    policies = {"randaugment": ja.RandAugment, "trivialaugment": ja.TrivialAugmentWide}
    for name in POLICIES:
        impl = f"jaxaug, chunk_size=1, {ONE_CORE}"
        note = "224x224 uint8 in; one example at a time; process pinned to one core"
        fn = ja.batch(policies[name](), chunk_size=1)
        rows.append(guarded(name, impl, lambda: bench_jax(name, impl, fn, (x,), cfg, note, loop_trips=cfg.batch)))
    return rows


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """jaxaug's best CPU settings (chunks of 8; policies one example at a time) on one core."""
    if not hasattr(os, "sched_setaffinity"):
        return [skipped(p, f"jaxaug, {ONE_CORE}", "os.sched_setaffinity is Linux-only") for p in (*pipelines, *POLICIES)]
    env = child_env()
    config = json.dumps(asdict(cfg))
    return rows_from_child(
        lambda rows_path: [sys.executable, os.path.abspath(__file__), rows_path, config, ",".join(pipelines)],
        lambda why: [skipped(p, f"jaxaug, {ONE_CORE}", why) for p in pipelines],
        env,
    )


if __name__ == "__main__":
    # Pin before JAX starts, so that XLA's thread pool has one thread on one core.
    pin_to_one_core()
    out_path, config, names = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    chosen = tuple(n for n in names.split(",") if n in PIPELINES)
    with open(out_path, "w") as f:
        json.dump([asdict(row) for row in _rows_pinned(Config(**config), chosen)], f)
