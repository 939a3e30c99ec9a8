"""jaxaug's presets, whole batch and in chunks."""

from __future__ import annotations

import jax.numpy as jnp

import jaxaug as ja
from harness import CHUNK, CHUNKED, Config, Row, bench_jax, channels_of, guarded, make_images

NAME = "jaxaug"
ORDER = 10  # position in the run and the table's tie-break


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """jaxaug presets: ``jax.jit(ja.batch(preset))``, one draw per example."""
    presets = {"imagenet": ja.presets.imagenet_train, "xray": ja.presets.xray_train, "pathology": ja.presets.pathology_train}
    rows = []
    for name in pipelines:
        x = jnp.asarray(make_images(cfg.batch, channels_of(name)))
        rows.append(guarded(name, "jaxaug", lambda: bench_jax(name, "jaxaug", ja.batch(presets[name]()), (x,), cfg)))
        rows.append(
            guarded(
                name,
                CHUNKED,
                lambda: bench_jax(name, CHUNKED, ja.batch(presets[name](), chunk_size=CHUNK), (x,), cfg, f"{CHUNK} examples at a time, in sequence", loop_trips=-(-cfg.batch // CHUNK)),
            )
        )
    return rows

