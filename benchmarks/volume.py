"""3-D augmentation throughput: jaxaug.volume against MONAI and TorchIO, each in its own process.

The pipeline: a (128, 128, 128, 1) float32 volume and its integer label, a random (96, 96, 96)
crop, three random flips (one per axis, p=0.5), a random quarter turn in the (0, 1) plane
(p=0.5), an affine with rotations up to 15 degrees about every axis and scale +-10% (always,
trilinear, label nearest), intensity scale and shift (+-10%), Gaussian noise (std 0.1).
jaxaug augments a batch with one draw per volume (``ja.batch``, jitted); MONAI runs its
dictionary transforms volume by volume, as a DataLoader worker does; TorchIO runs its subject
transforms volume by volume (its crop and quarter turn are done with torch, since it has none).

    python benchmarks/volume.py                       # all three, writes RESULTS_volume.md
    python benchmarks/volume.py --batch 2 --iters 2   # a quick check

MONAI and TorchIO run in the interpreter given by --torch-python (a scratch virtualenv; neither
is a jaxaug dependency). Numbers: volumes per wall-clock second, CPU milliseconds per volume
(process CPU time over all threads, so the two are comparable on a shared machine), and for
jaxaug the compile time (trace, lower and compile ahead of the first call; wall and CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

SIZE, PATCH = 128, 96
ROTATE = 15 * 3.141592653589793 / 180


def volumes(n: int, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    image = rng.uniform(0.0, 1.0, (n, SIZE, SIZE, SIZE, 1)).astype(np.float32)
    label = (rng.uniform(size=(n, SIZE, SIZE, SIZE)) < 0.05).astype(np.int32)
    return image, label


def run_jaxaug(batch: int, iters: int) -> dict:
    import jax
    import numpy as np

    import jaxaug as ja
    from jaxaug import volume as V

    intensity = [V.RandScaleIntensity(0.1, prob=1.0), V.RandShiftIntensity(0.1, prob=1.0), V.RandGaussianNoise(prob=1.0, std=0.1)] if hasattr(V, "RandGaussianNoise") else _stand_ins()
    pipeline = V.Compose(
        [
            V.RandSpatialCrop((PATCH, PATCH, PATCH)),
            V.RandFlip(prob=0.5, spatial_axis=0),
            V.RandFlip(prob=0.5, spatial_axis=1),
            V.RandFlip(prob=0.5, spatial_axis=2),
            V.RandRotate90(prob=0.5, spatial_axes=(0, 1)),
            V.RandAffine(prob=1.0, rotate_range=(ROTATE,) * 3, scale_range=(0.1,) * 3, padding_mode="border"),
            *intensity,
        ]
    )
    image, label = volumes(batch)
    image, label = jax.device_put(image), jax.device_put(label)
    # Compile time: tracing, lowering and XLA compilation, ahead of the first call.
    t0, c0 = time.perf_counter(), time.process_time()
    augment = jax.jit(ja.batch(pipeline)).lower(jax.random.key(0), image, label).compile()
    compile_s, compile_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    jax.block_until_ready(augment(jax.random.key(0), image, label))  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(iters):
        jax.block_until_ready(augment(jax.random.key(i + 1), image, label))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = batch * iters
    out, out_label = augment(jax.random.key(1), image, label)
    assert out.shape == (batch, PATCH, PATCH, PATCH, 1) and out_label.shape == (batch, PATCH, PATCH, PATCH)
    assert np.isfinite(np.asarray(out)).all()
    return {
        "library": f"jaxaug {ja.__version__} (jax {jax.__version__})",
        "volumes_per_s": n / wall,
        "cpu_ms_per_volume": 1000 * cpu / n,
        "compile_s": compile_s,
        "compile_cpu_s": compile_cpu_s,
        "stand_ins": not hasattr(V, "RandGaussianNoise"),
    }


def _stand_ins():
    """Intensity scale, shift and Gaussian noise, for a checkout without jaxaug.volume's
    intensity transforms: the same arithmetic as MONAI's RandScaleIntensity,
    RandShiftIntensity and RandGaussianNoise with prob=1."""
    from dataclasses import dataclass

    import jax
    import jax.numpy as jnp

    from jaxaug._base import normal_noise
    from jaxaug.volume import VolumeTransform

    @dataclass(frozen=True)
    class ScaleShiftNoise(VolumeTransform):
        def sample(self, key, shape):
            k_scale, k_shift, k_noise = jax.random.split(key, 3)
            return (
                jax.random.uniform(k_scale, (), minval=-0.1, maxval=0.1),
                jax.random.uniform(k_shift, (), minval=-0.1, maxval=0.1),
                k_noise,
            )

        def apply_pair(self, params, volume, label):
            scale, shift, k_noise = params
            noise = 0.1 * normal_noise(k_noise, volume.shape, jnp.float32)
            return volume * (1.0 + scale) + shift + noise, label

    return [ScaleShiftNoise()]


def run_monai(batch: int, iters: int) -> dict:
    import numpy as np
    import torch
    import monai
    from monai import transforms as T

    keys = ("image", "label")
    pipeline = T.Compose(
        [
            T.RandSpatialCropd(keys, roi_size=(PATCH,) * 3, random_size=False),
            T.RandFlipd(keys, prob=0.5, spatial_axis=0),
            T.RandFlipd(keys, prob=0.5, spatial_axis=1),
            T.RandFlipd(keys, prob=0.5, spatial_axis=2),
            T.RandRotate90d(keys, prob=0.5, spatial_axes=(0, 1)),
            T.RandAffined(keys, prob=1.0, rotate_range=(ROTATE,) * 3, scale_range=(0.1,) * 3, mode=("bilinear", "nearest"), padding_mode="border"),
            T.RandScaleIntensityd("image", factors=0.1, prob=1.0),
            T.RandShiftIntensityd("image", offsets=0.1, prob=1.0),
            T.RandGaussianNoised("image", prob=1.0, std=0.1),
        ]
    )
    pipeline.set_random_state(0)
    image, label = volumes(batch)
    data = [
        {"image": torch.as_tensor(np.moveaxis(image[i], -1, 0)), "label": torch.as_tensor(label[i][None])}
        for i in range(batch)
    ]
    pipeline(data[0])  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(iters):
        for d in data:
            out = pipeline(d)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert tuple(out["image"].shape) == (1, PATCH, PATCH, PATCH)
    n = batch * iters
    return {
        "library": f"MONAI {monai.__version__} (torch {torch.__version__}, {torch.get_num_threads()} threads)",
        "volumes_per_s": n / wall,
        "cpu_ms_per_volume": 1000 * cpu / n,
    }


def run_torchio(batch: int, iters: int) -> dict:
    import numpy as np
    import torch
    import torchio as tio

    rng = np.random.default_rng(0)

    def crop_and_turn(subject):
        start = [int(rng.integers(0, SIZE - PATCH + 1)) for _ in range(3)]
        k = int(rng.integers(1, 4)) if rng.uniform() < 0.5 else 0

        def cut(data):
            data = data[:, start[0] : start[0] + PATCH, start[1] : start[1] + PATCH, start[2] : start[2] + PATCH]
            return torch.rot90(data, k, dims=(1, 2)).contiguous()

        return tio.Subject(image=tio.ScalarImage(tensor=cut(subject["image"].data)), label=tio.LabelMap(tensor=cut(subject["label"].data)))

    pipeline = tio.Compose(
        [
            tio.RandomFlip(axes=(0,), flip_probability=0.5),
            tio.RandomFlip(axes=(1,), flip_probability=0.5),
            tio.RandomFlip(axes=(2,), flip_probability=0.5),
            tio.RandomAffine(scales=0.1, degrees=15, image_interpolation="linear", label_interpolation="nearest", default_pad_value="minimum"),
            tio.Lambda(lambda x: x * float(rng.uniform(0.9, 1.1)) + float(rng.uniform(-0.1, 0.1)), types_to_apply=[tio.INTENSITY]),
            tio.RandomNoise(std=(0.1, 0.1)),
        ]
    )
    image, label = volumes(batch)
    subjects = [
        tio.Subject(
            image=tio.ScalarImage(tensor=torch.as_tensor(np.moveaxis(image[i], -1, 0))),
            label=tio.LabelMap(tensor=torch.as_tensor(label[i][None])),
        )
        for i in range(batch)
    ]

    def augment(subject):
        return pipeline(crop_and_turn(subject))

    augment(subjects[0])  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(iters):
        for s in subjects:
            out = augment(s)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert tuple(out["image"].data.shape) == (1, PATCH, PATCH, PATCH)
    n = batch * iters
    return {
        "library": f"TorchIO {tio.__version__} (torch {torch.__version__}, {torch.get_num_threads()} threads)",
        "volumes_per_s": n / wall,
        "cpu_ms_per_volume": 1000 * cpu / n,
    }


RUNNERS = {"jaxaug": run_jaxaug, "monai": run_monai, "torchio": run_torchio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16, help="volumes per call (jaxaug) or per loop (others)")
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--only", choices=sorted(RUNNERS), help="run one library in this process and print JSON")
    parser.add_argument("--torch-python", default="/tmp/tvenv/bin/python")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS_volume.md"))
    args = parser.parse_args()
    if args.only:
        print("RESULT " + json.dumps(RUNNERS[args.only](args.batch, args.iters)))
        return
    rows = []
    for name in ("jaxaug", "monai", "torchio"):
        python = sys.executable if name == "jaxaug" else args.torch_python
        cmd = [python, os.path.abspath(__file__), "--only", name, "--batch", str(args.batch), "--iters", str(args.iters)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            print(f"{name} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(lines[-1][len("RESULT ") :]))
    base = next((r for r in rows if r["library"].startswith("MONAI")), None)
    header = "| library | volumes/s | CPU ms per volume | volumes per CPU-second vs MONAI | compile s (CPU s) |\n| --- | --- | --- | --- | --- |"
    lines = [header]
    for r in rows:
        ratio = f"{base['cpu_ms_per_volume'] / r['cpu_ms_per_volume']:.1f}x" if base else "n/a"
        compile_s = f"{r['compile_s']:.2f} ({r['compile_cpu_s']:.2f})" if "compile_s" in r else "-"
        lines.append(f"| {r['library']} | {r['volumes_per_s']:.2f} | {r['cpu_ms_per_volume']:.0f} | {ratio} | {compile_s} |")
    table = "\n".join(lines)
    print(table)
    note = next((r for r in rows if r.get("stand_ins")), None)
    with open(args.out, "w") as f:
        f.write(
            "# Volume benchmark (benchmarks/volume.py)\n\n"
            f"Pipeline: {SIZE}^3 float32 volume and label -> random {PATCH}^3 crop, three random flips, random "
            "quarter turn, affine (15 degrees about every axis, scale +-10%), intensity scale and shift, "
            f"Gaussian noise. Batch {args.batch}, {args.iters} timed iterations, on {platform.processor() or platform.machine()} "
            f"with {os.cpu_count()} CPUs.\n\n{table}\n"
            + ("\njaxaug's intensity steps were stand-ins (same arithmetic), not jaxaug.volume's.\n" if note else "")
        )


if __name__ == "__main__":
    main()
