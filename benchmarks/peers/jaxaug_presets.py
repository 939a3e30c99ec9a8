"""jaxaug's presets, whole batch and in chunks; on an accelerator, the host-to-device copy too."""

from __future__ import annotations

import jax
import jax.numpy as jnp

import jaxaug as ja
from harness import CHUNK, CHUNKED, Config, Row, bench_eager, bench_jax, channels_of, guarded, make_images

NAME = "jaxaug"
ORDER = 10  # position in the run and the table's tie-break
TRANSFER = "host-to-device copy"


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """jaxaug presets: ``jax.jit(ja.batch(preset))``, one draw per example.

    The batch is put on the device before timing, so the rows time augmentation alone; on an
    accelerator the copy is its own row. Chunks are a CPU setting (they bound the working set
    to the caches) and are timed on the CPU only.
    """
    presets = {"imagenet": ja.presets.imagenet_train, "xray": ja.presets.xray_train, "pathology": ja.presets.pathology_train}
    on_cpu = jax.default_backend() == "cpu"
    rows = []
    for name in pipelines:
        host = make_images(cfg.batch, channels_of(name))
        x = jnp.asarray(host)
        rows.append(guarded(name, "jaxaug", lambda: bench_jax(name, "jaxaug", ja.batch(presets[name]()), (x,), cfg)))
        if on_cpu:
            rows.append(
                guarded(
                    name,
                    CHUNKED,
                    lambda: bench_jax(
                        name,
                        CHUNKED,
                        ja.batch(presets[name](), chunk_size=CHUNK),
                        (x,),
                        cfg,
                        f"{CHUNK} examples at a time, in sequence",
                        loop_trips=-(-cfg.batch // CHUNK),
                    ),
                )
            )
        else:
            copy = lambda: jax.block_until_ready(jax.device_put(host))  # noqa: E731
            rows.append(guarded(name, TRANSFER, lambda: bench_eager(name, TRANSFER, copy, cfg.batch, cfg, "uint8 batch, excluded from the jaxaug rows")))
    return rows
