"""A hand-written per-example port with dm-pix, as one might write it without jaxaug."""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp

import jaxaug as ja
from harness import IMAGENET_MEAN, IMAGENET_STD, SIZE, Config, Row, bench_jax, channels_of, guarded, make_images, skipped

NAME = "naive"
ORDER = 30  # position in the run and the table's tie-break


def naive_pipeline(name: str) -> Callable[[jax.Array, jax.Array], jax.Array]:
    """A straightforward per-example port with dm-pix, as one might write it by hand.

    dm-pix crops need a static size, so the crop has a fixed side (no scale or aspect draw)
    followed by ``jax.image.resize``; brightness is additive; the order of the colour ops is
    fixed; erasing is a hand-written box mask.
    """
    import dm_pix as pix

    def erase(key: jax.Array, x: jax.Array) -> jax.Array:
        k_apply, k_size, k_pos = jax.random.split(key, 3)
        hw = jax.random.uniform(k_size, (2,), minval=0.14, maxval=0.57) * SIZE
        corner = jax.random.uniform(k_pos, (2,)) * (SIZE - hw)
        rows = jnp.arange(SIZE)[:, None, None]
        cols = jnp.arange(SIZE)[None, :, None]
        box = (rows >= corner[0]) & (rows < corner[0] + hw[0]) & (cols >= corner[1]) & (cols < corner[1] + hw[1])
        return jnp.where(box & jax.random.bernoulli(k_apply, 0.5), 0.0, x)

    def imagenet(key: jax.Array, image: jax.Array) -> jax.Array:
        k = jax.random.split(key, 7)
        x = pix.random_crop(k[0], image, (192, 192, 3)).astype(jnp.float32) / 255.0
        x = jax.image.resize(x, (SIZE, SIZE, 3), "bilinear")
        x = pix.random_flip_left_right(k[1], x)
        x = pix.random_brightness(k[2], x, 0.4)
        x = pix.random_contrast(k[3], x, 0.6, 1.4)
        x = pix.random_saturation(k[4], x, 0.6, 1.4)
        x = pix.random_hue(k[5], x, 0.1)
        x = (jnp.clip(x, 0.0, 1.0) - jnp.array(IMAGENET_MEAN)) / jnp.array(IMAGENET_STD)
        return erase(k[6], x)

    def xray(key: jax.Array, image: jax.Array) -> jax.Array:
        k = jax.random.split(key, 5)
        x = pix.random_crop(k[0], image, (230, 230, 1)).astype(jnp.float32) / 255.0
        x = jax.image.resize(x, (SIZE, SIZE, 1), "bilinear")
        x = pix.random_flip_left_right(k[1], x)
        angle = jax.random.uniform(k[2], minval=-10.0, maxval=10.0)
        x = pix.rotate(x, jnp.deg2rad(angle), order=1, mode="constant")
        x = pix.random_brightness(k[3], x, 0.1)
        x = pix.random_contrast(k[4], x, 0.9, 1.1)
        return (jnp.clip(x, 0.0, 1.0) - 0.5) / 0.5

    def pathology(key: jax.Array, image: jax.Array) -> jax.Array:
        k = jax.random.split(key, 8)
        x = pix.random_crop(k[0], image, (SIZE, SIZE, 3)).astype(jnp.float32) / 255.0
        x = pix.random_flip_left_right(k[1], x)
        x = pix.random_flip_up_down(k[2], x)
        angle = jax.random.uniform(k[3], minval=-90.0, maxval=90.0)
        x = pix.rotate(x, jnp.deg2rad(angle), order=0, mode="constant")
        x = pix.random_brightness(k[4], x, 0.2)
        x = pix.random_contrast(k[5], x, 0.8, 1.2)
        x = pix.random_saturation(k[6], x, 0.8, 1.2)
        x = pix.random_hue(k[7], x, 0.05)
        return (jnp.clip(x, 0.0, 1.0) - jnp.array(IMAGENET_MEAN)) / jnp.array(IMAGENET_STD)

    return {"imagenet": imagenet, "xray": xray, "pathology": pathology}[name]


NAIVE_NOTES = {
    "imagenet": "fixed 192px crop + resize (no scale/aspect draw), additive brightness, fixed colour order",
    "xray": "fixed 230px crop + resize, dm-pix rotate (map_coordinates), additive brightness",
    "pathology": "dm-pix rotate (map_coordinates), additive brightness, fixed colour order",
}


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """A hand-written dm-pix port, ``jax.jit(jax.vmap(...))`` via ja.batch."""
    try:
        import dm_pix  # noqa: F401
    except ImportError:
        return [skipped(p, "naive dm-pix port", "dm_pix not installed") for p in pipelines]
    rows = []
    for name in pipelines:
        x = jnp.asarray(make_images(cfg.batch, channels_of(name)))
        fn = ja.batch(naive_pipeline(name))
        rows.append(guarded(name, "naive dm-pix port", lambda: bench_jax(name, "naive dm-pix port", fn, (x,), cfg, NAIVE_NOTES[name])))
    return rows


# --- augmax ---------------------------------------------------------------------------------
