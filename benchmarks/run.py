"""Throughput of jaxaug's presets next to the libraries people would otherwise use.

Run ``python benchmarks/run.py`` (``--quick`` for a smoke run under a minute). It prints a
markdown table and writes it, with machine info, versions and the date, to
``benchmarks/RESULTS.md``. Peers are measured only if importable (see benchmarks/README.md);
speed is measured here and never asserted in tests.

Every row times one call on a whole batch: jaxaug and other JAX rows are ``jax.jit`` of a
per-example pipeline under ``vmap`` (``ja.batch``), called with a fresh key each time and
waited on with ``block_until_ready``; torch rows run eagerly on CPU. images/s is the batch size
over the median of the timed calls, after warm-up.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import importlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterator

import jax
import jax.numpy as jnp
import numpy as np

import jaxaug as ja

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
SIDE = 256  # input images are SIDE x SIDE uint8
SIZE = 224  # output images are SIZE x SIZE float32
PIPELINES = ("imagenet", "xray", "pathology")
CHUNK = 8  # ja.batch(..., chunk_size=CHUNK): the CPU setting benchmarks/README.md recommends
CHUNKED = f"jaxaug, chunk_size={CHUNK}"


@dataclass
class Config:
    """How long to measure.

    Attributes:
      batch: images per call.
      repeats: most timed calls per row.
      budget_s: stop timing a row after this many seconds (at least `min_repeats` calls).
      warmup: untimed calls after the first.
      min_repeats: fewest timed calls per row.
    """

    batch: int = 128
    repeats: int = 15
    budget_s: float = 8.0
    warmup: int = 2
    min_repeats: int = 3


@dataclass
class Row:
    """One line of the results table.

    Attributes:
      pipeline: which pipeline (imagenet, xray, pathology, mixup, ...).
      impl: the implementation, e.g. "jaxaug" or "torchvision v2, per image".
      items_s: items (images, ECGs) per second, median of the timed calls.
      batch_ms: median milliseconds per batch.
      cpu_ms: process CPU time (all threads) per timed call, mean; cpu_ms / batch_ms is the
        number of cores kept busy.
      compile_s: first call minus a steady call (JAX rows), else None.
      memory: peak memory text, e.g. "154 MB (xla)".
      faults_k: thousands of minor page faults per timed call (fresh memory touched).
      notes: semantic differences and caveats.
    """

    pipeline: str
    impl: str
    items_s: float | None = None
    batch_ms: float | None = None
    cpu_ms: float | None = None
    compile_s: float | None = None
    memory: str = ""
    faults_k: float | None = None
    notes: str = ""


# --- measuring ------------------------------------------------------------------------------


class RssPeak:
    """Peak resident memory above the starting level, sampled every millisecond in a thread."""

    def __init__(self) -> None:
        try:
            import psutil

            self._process = psutil.Process()
        except ImportError:
            self._process = None
        self.peak_mb: float | None = None

    def _rss(self) -> int:
        return self._process.memory_info().rss

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._max = max(self._max, self._rss())
            time.sleep(0.001)

    def __enter__(self) -> RssPeak:
        if self._process is not None:
            self._start = self._max = self._rss()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._process is not None:
            self._stop.set()
            self._thread.join()
            self._max = max(self._max, self._rss())
            self.peak_mb = (self._max - self._start) / 1e6


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_step(step: Callable[[int], Any], cfg: Config) -> tuple[float, list[float], float | None, float, float]:
    """Time `step(i)`: the first call, then warm-up, then timed calls.

    Args:
      step: runs one batch for call number i and waits for the result.
      cfg: repeats and time budget.

    Returns:
      (seconds of the first call, seconds of each timed call, peak RSS rise in MB during the
      first call or None without psutil, thousands of minor page faults per timed call, CPU
      milliseconds per timed call).
    """
    with RssPeak() as rss:
        t0 = time.perf_counter()
        step(0)
        first = time.perf_counter() - t0
    for i in range(cfg.warmup):
        step(1 + i)
    times: list[float] = []
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    cpu = cpu_seconds()
    start = time.perf_counter()
    while len(times) < cfg.repeats:
        t0 = time.perf_counter()
        step(1 + cfg.warmup + len(times))
        times.append(time.perf_counter() - t0)
        if len(times) >= cfg.min_repeats and time.perf_counter() - start > cfg.budget_s:
            break
    cpu_ms = 1e3 * (cpu_seconds() - cpu) / len(times)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return first, times, rss.peak_mb, faults / len(times) / 1e3, cpu_ms


def bench_jax(pipeline: str, impl: str, fn: Callable[..., Any], args: tuple[Any, ...], cfg: Config, notes: str = "", items: int | None = None) -> Row:
    """Time ``jax.jit(fn)(key, *args)`` with a new key per call.

    The first call lowers, compiles and runs; compile time is that minus the median steady
    call. Memory is XLA's own account of the compiled program: temporaries plus outputs.

    Args:
      pipeline, impl, notes: labels for the row.
      fn: ``fn(key, *args)``, a batched function.
      args: its arguments after the key (arrays already on the device).
      cfg: how long to measure.
      items: items per call (default: the leading axis of args[0]).

    Returns:
      The filled Row.
    """
    keys = jax.random.split(jax.random.key(0), cfg.warmup + cfg.repeats + 1)
    compiled = {}

    def step(i: int) -> None:
        if "fn" not in compiled:
            compiled["fn"] = jax.jit(fn).lower(keys[i], *args).compile()
        jax.block_until_ready(compiled["fn"](keys[i], *args))

    first, times, _, faults_k, cpu_ms = time_step(step, cfg)
    median = statistics.median(times)
    items = items if items is not None else args[0].shape[0]
    memory = ""
    analysis = compiled["fn"].memory_analysis()
    if analysis is not None:
        memory = f"{(analysis.temp_size_in_bytes + analysis.output_size_in_bytes) / 1e6:.0f} MB (xla)"
    return Row(pipeline, impl, items / median, 1e3 * median, cpu_ms, first - median, memory, faults_k, notes)


def bench_eager(pipeline: str, impl: str, run_once: Callable[[], Any], items: int, cfg: Config, notes: str = "") -> Row:
    """Time an eager (torch, numpy) batch function; memory is the RSS rise during the first call."""
    first, times, rss_mb, faults_k, cpu_ms = time_step(lambda i: run_once(), cfg)
    median = statistics.median(times)
    memory = "" if rss_mb is None else f"{rss_mb:.0f} MB (rss)"
    return Row(pipeline, impl, items / median, 1e3 * median, cpu_ms, None, memory, faults_k, notes)


def skipped(pipeline: str, impl: str, why: str) -> Row:
    """A row for something that could not run; `why` goes in the notes."""
    return Row(pipeline, impl, notes=f"skipped: {why}")


def guarded(pipeline: str, impl: str, run: Callable[[], Row]) -> Row:
    """Run one benchmark; an error becomes a skipped row instead of ending the script."""
    try:
        return run()
    except Exception as err:  # noqa: BLE001 - a peer's failure must not stop the others
        return skipped(pipeline, impl, f"{type(err).__name__}: {str(err).splitlines()[0][:120]}")


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run torch and OpenCV on one thread, as in a DataLoader worker, then restore.

    Per-image loops with several intra-op threads spend their time in thread hand-offs, and
    collapse when another process holds a core (we saw 0.9 s become 70 s per batch).
    """
    saved = {}
    try:
        import torch

        saved["torch"] = torch.get_num_threads()
        torch.set_num_threads(1)
    except ImportError:
        pass
    try:
        import cv2

        saved["cv2"] = cv2.getNumThreads()
        cv2.setNumThreads(1)
    except ImportError:
        pass
    try:
        yield
    finally:
        if "torch" in saved:
            torch.set_num_threads(saved["torch"])
        if "cv2" in saved:
            cv2.setNumThreads(saved["cv2"])


# --- data -----------------------------------------------------------------------------------


def make_images(batch: int, channels: int) -> np.ndarray:
    """Random uint8 (batch, 256, 256, channels) images; the content does not change the work."""
    return np.random.default_rng(channels).integers(0, 256, (batch, SIDE, SIDE, channels), dtype=np.uint8)


def channels_of(pipeline: str) -> int:
    return 1 if pipeline == "xray" else 3


# --- jaxaug ---------------------------------------------------------------------------------


def bench_jaxaug(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
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
                lambda: bench_jax(name, CHUNKED, ja.batch(presets[name](), chunk_size=CHUNK), (x,), cfg, f"{CHUNK} examples at a time, in sequence"),
            )
        )
    return rows


def bench_floor(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """What memory allows: read the uint8 batch, write a fresh float32 224x224 batch."""

    def floor(key: jax.Array, x: jax.Array) -> jax.Array:
        del key
        return x[:, :SIZE, :SIZE, :].astype(jnp.float32) * (1.0 / 255.0)

    rows = []
    for channels in sorted({channels_of(p) for p in pipelines}, reverse=True):
        x = jnp.asarray(make_images(cfg.batch, channels))
        row = bench_jax(f"floor {channels}ch", "jit slice + convert", floor, (x,), cfg)
        moved = cfg.batch * SIZE * SIZE * channels * (1 + 4)  # bytes read + written
        row.notes = f"no augmentation; {moved / (row.batch_ms / 1e3) / 1e9:.1f} GB/s read + written"
        rows.append(row)
    return rows


MIX_FLOOR = "floor f32 copy"


def mix_batch(cfg: Config) -> jax.Array:
    """The float32 (batch, 224, 224, 3) batch that the jaxaug mixing rows and their floor take."""
    return jax.random.uniform(jax.random.key(1), (cfg.batch, SIZE, SIZE, 3))


def bench_mix_floor(cfg: Config) -> list[Row]:
    """What memory allows for mixing: read the float32 224x224x3 batch, write a fresh copy.

    Any out-of-place Mixup or CutMix reads the batch (and partners) and writes a new one, so
    no such implementation can be faster than this row.
    """
    x = mix_batch(cfg)
    row = bench_jax(MIX_FLOOR, "jit copy", lambda key, x: jnp.copy(x), (x,), cfg)
    moved = 2 * x.size * x.dtype.itemsize  # bytes read + written
    row.notes = f"no mixing; {moved / (row.batch_ms / 1e3) / 1e9:.1f} GB/s read + written"
    return [row]


def bench_jaxaug_mix(cfg: Config) -> list[Row]:
    """jaxaug.mix.mixup / cutmix on a float batch, if the module exists."""
    try:
        mix = importlib.import_module("jaxaug.mix")
    except ImportError:
        return [skipped("mixup/cutmix", "jaxaug", "jaxaug.mix not available yet")]
    x = mix_batch(cfg)
    y = jnp.arange(cfg.batch) % 1000
    rows = []
    for op, alpha in (("mixup", 0.4), ("cutmix", 1.0)):
        # The per-example mode was planned as "example"; the module may call it "elem" (timm's name).
        for label, modes in (("batch", ("batch",)), ("per example", ("example", "elem"))):
            name = f"{op} ({label})"
            fn = getattr(mix, op, None)
            if fn is None:
                rows.append(skipped(name, "jaxaug", f"jaxaug.mix.{op} missing"))
                continue
            for mode in modes:
                call = functools.partial(fn, alpha=alpha, num_classes=1000, mode=mode)
                row = guarded(name, "jaxaug", lambda: bench_jax(name, "jaxaug", call, (x, y), cfg, f"mode={mode!r}"))
                if row.items_s is not None:
                    break
            rows.append(row)
    return rows


def bench_jaxaug_ecg(cfg: Config) -> list[Row]:
    """jaxaug.signal.augment_ecg per example on 2*batch ECGs of (5000, 12), if it exists."""
    try:
        signal = importlib.import_module("jaxaug.signal")
        augment_ecg = signal.augment_ecg
    except (ImportError, AttributeError):
        return [skipped("ecg (5000x12)", "jaxaug", "jaxaug.signal.augment_ecg not available yet")]
    x = jax.random.normal(jax.random.key(2), (2 * cfg.batch, 5000, 12))
    fn = ja.batch(functools.partial(augment_ecg, p=0.5, fs=500.0))
    return [guarded("ecg (5000x12)", "jaxaug", lambda: bench_jax("ecg (5000x12)", "jaxaug", fn, (x,), cfg, "items are ECGs"))]


# --- automatic policies: jaxaug against torchvision per image -------------------------------

POLICIES = ("randaugment", "trivialaugment")


def bench_policies(cfg: Config) -> list[Row]:
    """RandAugment and TrivialAugmentWide on uint8 224x224 RGB, float32 out: jaxaug with a draw
    per example, torchvision v2 per image (its policies draw once per call)."""
    x_np = np.ascontiguousarray(make_images(cfg.batch, 3)[:, :SIZE, :SIZE])
    x = jnp.asarray(x_np)
    ours = {"randaugment": ja.RandAugment, "trivialaugment": ja.TrivialAugmentWide}
    rows = [guarded(n, "jaxaug", lambda n=n: bench_jax(n, "jaxaug", ja.batch(ours[n]()), (x,), cfg, "224x224 uint8 in")) for n in POLICIES]
    impl = "torchvision v2, per image"
    try:
        import torch
        from torchvision.transforms import v2
    except ImportError:
        return rows + [skipped(n, impl, "torchvision not installed") for n in POLICIES]
    images = list(torch.from_numpy(x_np).permute(0, 3, 1, 2).contiguous().unbind(0))
    theirs = {"randaugment": v2.RandAugment, "trivialaugment": v2.TrivialAugmentWide}
    for n in POLICIES:
        pipeline = v2.Compose([theirs[n](), v2.ToDtype(torch.float32, scale=True)])

        def per_image(pipeline: Any = pipeline) -> Any:
            with torch.inference_mode(), one_thread():
                return torch.stack([pipeline(img) for img in images])

        rows.append(guarded(n, impl, lambda n=n, run=per_image: bench_eager(n, impl, run, cfg.batch, cfg, "uint8 ops, then ToDtype; 1 thread")))
    return rows


# --- naive dm-pix port ------------------------------------------------------------------------


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


def bench_naive(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
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


def bench_augmax(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """augmax chains under ``jax.jit(jax.vmap(...))``.

    Differences: RandomSizedCrop draws a square crop by log-uniform zoom (no aspect jitter),
    ColorJitter works per pixel in HSV with a fixed order, and there is no RandomErasing.
    """
    impl = "augmax jit+vmap"
    try:
        import augmax
    except ImportError:
        return [skipped(p, impl, "augmax not installed") for p in pipelines]
    chains = {
        "imagenet": lambda: augmax.Chain(
            augmax.RandomSizedCrop(SIZE, zoom_range=(0.875, 3.1)),
            augmax.HorizontalFlip(),
            augmax.ByteToFloat(),
            augmax.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0),
            augmax.Normalize(),
        ),
        "xray": lambda: augmax.Chain(
            augmax.RandomSizedCrop(SIZE, zoom_range=(0.875, 0.98)),
            augmax.HorizontalFlip(),
            augmax.Rotate((-10, 10)),
            augmax.ByteToFloat(),
            augmax.RandomBrightness((-0.1, 0.1), p=1.0),
            augmax.RandomContrast((-0.1, 0.1), p=1.0),
            augmax.Normalize(mean=np.array([0.5]), std=np.array([0.5])),
        ),
        "pathology": lambda: augmax.Chain(
            augmax.RandomCrop(SIZE, SIZE),
            augmax.HorizontalFlip(),
            augmax.VerticalFlip(),
            augmax.Rotate((-90, 90)),
            augmax.ByteToFloat(),
            augmax.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1.0),
            augmax.Normalize(),
        ),
    }
    notes = {
        "imagenet": "square crop by zoom (no aspect jitter), per-pixel HSV jitter, no erasing",
        "xray": "square crop by zoom, additive brightness/contrast",
        "pathology": "per-pixel HSV jitter in fixed order",
    }
    rows = []
    for name in pipelines:
        x = jnp.asarray(make_images(cfg.batch, channels_of(name)))

        def run(name: str = name, x: jax.Array = x) -> Row:
            chain = chains[name]()
            return bench_jax(name, impl, ja.batch(lambda key, image: chain(key, image)), (x,), cfg, notes[name])

        rows.append(guarded(name, impl, run))
    return rows


# --- torch peers ----------------------------------------------------------------------------


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


def bench_torchvision(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
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


def bench_kornia(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
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


def bench_albumentations(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
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


def bench_torch_mix(cfg: Config) -> list[Row]:
    """torchvision v2 MixUp/CutMix (one lambda per batch) and timm Mixup (mode='elem', per example)."""
    try:
        import torch
    except ImportError:
        return [skipped("mixup/cutmix", "torch peers", "torch not installed")]
    x = torch.rand(cfg.batch, 3, SIZE, SIZE)
    y = torch.arange(cfg.batch) % 1000
    rows = []
    try:
        from torchvision.transforms import v2

        for op, make in (("mixup", lambda: v2.MixUp(alpha=0.4, num_classes=1000)), ("cutmix", lambda: v2.CutMix(alpha=1.0, num_classes=1000))):
            name = f"{op} (batch)"
            mixer = make()
            rows.append(guarded(name, "torchvision v2", lambda: bench_eager(name, "torchvision v2", lambda: mixer(x, y), cfg.batch, cfg)))
    except ImportError:
        rows.append(skipped("mixup/cutmix", "torchvision v2", "torchvision not installed"))
    try:
        from timm.data import Mixup

        for op, alphas in (("mixup", (0.4, 0.0)), ("cutmix", (0.0, 1.0))):
            for label, timm_mode in (("batch", "batch"), ("per example", "elem")):
                name = f"{op} ({label})"
                mixer = Mixup(mixup_alpha=alphas[0], cutmix_alpha=alphas[1], mode=timm_mode, label_smoothing=0.0, num_classes=1000)
                # timm mixes in place; give it a fresh copy each call (the copy is timed too).
                rows.append(guarded(name, "timm Mixup", lambda: bench_eager(name, "timm Mixup", lambda: mixer(x.clone(), y), cfg.batch, cfg, f"mode={timm_mode!r}; includes a batch copy")))
    except ImportError:
        rows.append(skipped("mixup/cutmix", "timm Mixup", "timm not installed"))
    return rows


# --- report ---------------------------------------------------------------------------------


def add_ratios(rows: list[Row]) -> dict[int, str]:
    """jaxaug items/s over each other row's items/s, for rows of the same pipeline."""
    jaxaug_speed = {r.pipeline: r.items_s for r in rows if r.impl == "jaxaug" and r.items_s}
    chunked_speed = {r.pipeline: r.items_s for r in rows if r.impl == CHUNKED and r.items_s}
    ratios = {}
    for i, r in enumerate(rows):
        if not r.items_s:
            continue
        if r.pipeline == MIX_FLOOR:
            same = [s for p, s in jaxaug_speed.items() if p.startswith(("mixup", "cutmix"))]
            ratios[i] = " / ".join(f"{s / r.items_s:.3f}" for s in same)
        elif r.pipeline.startswith("floor"):
            channels = int(r.pipeline.split()[1][0])
            same = [s for p, s in jaxaug_speed.items() if channels_of(p) == channels and p in PIPELINES]
            ratios[i] = " / ".join(f"{s / r.items_s:.3f}" for s in same)
        elif r.pipeline in jaxaug_speed:
            ratios[i] = f"{jaxaug_speed[r.pipeline] / r.items_s:.2f}"
            if r.pipeline in chunked_speed:
                ratios[i] += f" / {chunked_speed[r.pipeline] / r.items_s:.2f}"
    return ratios


def fmt(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


def table(rows: list[Row]) -> str:
    """The rows as a markdown table."""
    ratios = add_ratios(rows)
    lines = [
        "| pipeline | implementation | items/s | ms/batch | CPU ms/batch | compile s | peak memory | page faults/call | jaxaug x | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for i, r in enumerate(rows):
        lines.append(
            f"| {r.pipeline} | {r.impl} | {fmt(r.items_s, '.0f')} | {fmt(r.batch_ms, '.1f')} | {fmt(r.cpu_ms, '.0f')} | "
            f"{fmt(r.compile_s, '.2f')} | {r.memory} | {fmt(r.faults_k, '.1f')}{'k' if r.faults_k is not None else ''} | "
            f"{ratios.get(i, '')} | {r.notes} |"
        )
    return "\n".join(lines)


def cpu_model() -> str:
    """The CPU's model name, with its widest vector extensions (Linux), else what platform knows."""
    model, flags = platform.processor() or platform.machine(), []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    flags = [x for x in ("avx2", "fma", "avx512f") if x in line.split()]
                    break
    except OSError:
        pass
    return f"{model} ({', '.join(flags)})" if flags else model


def jaxaug_commit() -> str:
    """The git commit of the jaxaug checkout measured, "+dirty" with uncommitted changes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(ja.__file__)))
    try:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "jaxaug"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def versions() -> str:
    """Versions of Python and every library measured (those importable)."""
    out = [f"python {platform.python_version()}", f"jaxaug git {jaxaug_commit()}"]
    for module in ("jaxaug", "jax", "jaxlib", "numpy", "dm_pix", "augmax", "torch", "torchvision", "kornia", "albumentations", "cv2", "timm"):
        try:
            out.append(f"{module} {importlib.import_module(module).__version__}")
        except Exception:  # noqa: BLE001 - not installed, or no __version__
            pass
    return ", ".join(out)


def machine() -> str:
    """CPU model, cores, memory, load and thread settings."""
    info = [f"CPU: {cpu_model()}", f"logical cores: {os.cpu_count()}"]
    try:
        import psutil

        info.append(f"physical cores: {psutil.cpu_count(logical=False)}")
        info.append(f"memory: {psutil.virtual_memory().total / 2**30:.0f} GiB")
    except ImportError:
        pass
    if hasattr(os, "getloadavg"):
        info.append("load average at start: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    info.append(f"JAX devices: {jax.devices()}")
    try:
        import torch

        info.append(f"torch threads: {torch.get_num_threads()}")
    except ImportError:
        pass
    info.append(f"OS: {platform.platform()}")
    # Fresh output and temporary buffers arrive as new pages on every call; how many faults
    # that costs depends on the allocator's settings (benchmarks/README.md, Columns).
    info.append(f"GLIBC_TUNABLES: {os.environ.get('GLIBC_TUNABLES') or '(unset: glibc defaults)'}")
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            info.append(f"transparent huge pages: {f.read().strip()}")
    except OSError:
        pass
    return "\n".join(f"- {line}" for line in info)


def report(rows: list[Row], cfg: Config, argv: list[str], machine_text: str, elapsed_s: float) -> str:
    """RESULTS.md: how it was run, on what, and the table."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""# jaxaug benchmark results

Generated by `{' '.join(['python benchmarks/run.py', *argv])}` on {now} in {elapsed_s:.0f} s.
Batch {cfg.batch} of uint8 {SIDE}x{SIDE}x3 (x1 for X-ray) -> float32 {SIZE}x{SIZE}; mixup/cutmix on
float32 {SIZE}x{SIZE}x3; ECG on {2 * cfg.batch} x (5000, 12) float32. Up to {cfg.repeats} timed calls
(at most ~{cfg.budget_s:.0f} s per row) after {cfg.warmup} warm-up calls; the median is reported.

## Machine

{machine_text}

## Versions

{versions()}

## Results

{table(rows)}

How to read it:
- items/s = batch / median seconds per call. JAX rows wait with `block_until_ready`.
- compile s = first call (lower + compile + run) minus the median call; JAX rows only.
- peak memory: "(xla)" is XLA's memory analysis of the compiled program (temporaries +
  outputs, inputs excluded); "(rss)" is the rise of the process's resident memory during the
  first call, sampled every millisecond with psutil. They are not the same measure.
- jaxaug x = jaxaug items/s over this row's items/s for the same pipeline (> 1: jaxaug is
  faster); "a / b" gives it for `ja.batch(preset)` (vmap of the whole batch) / `ja.batch(preset,
  chunk_size={CHUNK})`. On a floor row it is jaxaug's (vmap) fraction of the floor (imagenet /
  pathology for 3ch; on the f32 copy row, each mixup / cutmix row in table order).
- Per-image rows run in one process on one thread (torch and OpenCV), as a DataLoader worker
  does; W workers multiply them by up to W (this machine has {os.cpu_count()} logical cores).
  Batch rows (JAX, torch on a batch) use every core they are given.
- CPU ms/batch is the process's CPU time per call; over ms/batch it is the cores kept busy.
- Each `--only` entry (a library, or jaxaug's group of rows) runs in a fresh process, so no row
  inherits another library's allocator state (`--in-process`: all in this one).
- page faults/call: minor faults per call; XLA allocates outputs and temporaries afresh on every
  call and large buffers arrive as new pages (see benchmarks/README.md).
- See benchmarks/README.md for what each row runs and how semantics differ.
"""


ROW_ORDER = (*PIPELINES, "mixup (batch)", "mixup (per example)", "cutmix (batch)", "cutmix (per example)", "ecg (5000x12)")


def order(row: Row) -> tuple[int, str, int]:
    """Presets first, then mix and ECG rows, anything else, floors last; jaxaug first in each."""
    rank = ROW_ORDER.index(row.pipeline) if row.pipeline in ROW_ORDER else 90 if row.pipeline.startswith("floor") else 80
    return (rank, row.pipeline, 0 if row.impl == "jaxaug" else 1 if row.impl == CHUNKED else 2)


PEERS = {
    "jaxaug": bench_jaxaug,
    "floor": bench_floor,
    "naive": bench_naive,
    "augmax": bench_augmax,
    "torchvision": bench_torchvision,
    "kornia": bench_kornia,
    "albumentations": bench_albumentations,
    "mix": lambda cfg, p: bench_jaxaug_mix(cfg) + bench_mix_floor(cfg),
    "torchmix": lambda cfg, p: bench_torch_mix(cfg),
    "ecg": lambda cfg, p: bench_jaxaug_ecg(cfg),
    "policies": lambda cfg, p: bench_policies(cfg),
}
QUICK = ("jaxaug", "floor", "naive", "augmax", "torchvision", "kornia", "albumentations")


def run_isolated(name: str, args: argparse.Namespace) -> list[Row]:
    """Run one entry of PEERS in a fresh Python process and return its rows.

    Every library starts from the same state: glibc hands large buffers back to the kernel or
    keeps them on its heap depending on what ran before in the process, and a row that followed
    other libraries' rows measured 0 page faults per call where, alone, it paid ~19k per
    buffer (benchmarks/README.md). A training process runs one augmentation library, so each
    is measured alone.
    """
    with tempfile.TemporaryDirectory() as tmp:
        rows_path = os.path.join(tmp, "rows.json")
        command = [sys.executable, os.path.abspath(__file__), "--in-process", "--rows-json", rows_path, "--only", name, "--batch", str(args.batch)]
        if args.quick:
            command.append("--quick")
        if args.pipelines:
            command += ["--pipelines", args.pipelines]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0 or not os.path.exists(rows_path):
            why = (done.stderr.strip().splitlines() or ["no output"])[-1][:120]
            return [skipped(name, name, f"process failed ({done.returncode}): {why}")]
        with open(rows_path) as f:
            return [Row(**row) for row in json.load(f)]


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the selected benchmarks, print and write the table."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two timed calls, ImageNet rows and the floor only (unless --pipelines/--only); under a minute")
    parser.add_argument("--batch", type=int, default=128, help="images per call (default 128)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md"), help="markdown report (default benchmarks/RESULTS.md)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(PEERS)}")
    parser.add_argument("--pipelines", default="", help="comma-separated subset of " + ",".join(PIPELINES) + " (default: all; --quick: imagenet)")
    parser.add_argument("--in-process", action="store_true", help="run every entry in this process (default: a fresh process per --only entry)")
    parser.add_argument("--rows-json", default="", help=argparse.SUPPRESS)  # how run_isolated collects a child's rows
    args = parser.parse_args(argv)

    cfg = Config(batch=args.batch)
    if args.quick:
        cfg = Config(batch=args.batch, repeats=2, budget_s=1.0, warmup=0, min_repeats=2)
    pipelines = tuple(p for p in args.pipelines.split(",") if p) or (("imagenet",) if args.quick else PIPELINES)
    unknown = [p for p in pipelines if p not in PIPELINES]
    if unknown:
        parser.error(f"unknown pipelines {unknown}; choose from {PIPELINES}")
    only = [o for o in args.only.split(",") if o] or list(QUICK if args.quick else PEERS)
    unknown = [o for o in only if o not in PEERS]
    if unknown:
        parser.error(f"unknown --only entries {unknown}; choose from {list(PEERS)}")

    if args.rows_json:
        rows = [row for name in only for row in PEERS[name](cfg, pipelines)]
        with open(args.rows_json, "w") as f:
            json.dump([asdict(row) for row in rows], f)
        return

    machine_text = machine()  # before the run, so the load average is the background load
    start = time.perf_counter()
    rows = []
    for name in only:
        print(f"[{time.perf_counter() - start:5.1f}s] {name} ...", file=sys.stderr, flush=True)
        rows.extend(PEERS[name](cfg, pipelines) if args.in_process else run_isolated(name, args))
    rows.sort(key=order)
    elapsed = time.perf_counter() - start

    print(table(rows))
    with open(args.out, "w") as f:
        f.write(report(rows, cfg, argv, machine_text, elapsed))
    print(f"\nwrote {args.out} ({elapsed:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
