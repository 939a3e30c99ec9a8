"""Train a small CNN on scikit-learn's handwritten digits with jaxaug's jitted training step.

Four runs on the same data and seeds: no mixing, Mixup, CutMix, and each evaluated with and
without test-time augmentation. Digits are not mirror-symmetric, so the augmentation is a small
rotation and crop, and the TTA views are small shifts and zooms, never flips.

    pip install -e '.[examples]'
    python examples/train_digits.py            # about a minute on 2 CPU cores
    python examples/train_digits.py --quick    # a few seconds (the test suite runs this)
"""

from __future__ import annotations

import argparse
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

import jaxaug as ja
from jaxaug import mix, train, tta


class CNN(nnx.Module):
    """Two convolutions and a linear head for (16, 16, 1) digits."""

    def __init__(self, rngs: nnx.Rngs) -> None:
        self.conv1 = nnx.Conv(1, 16, (3, 3), rngs=rngs)
        self.conv2 = nnx.Conv(16, 32, (3, 3), strides=(2, 2), rngs=rngs)
        self.head = nnx.Linear(8 * 8 * 32, 10, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = jax.nn.relu(self.conv1(x))
        x = jax.nn.relu(self.conv2(x))
        return self.head(x.reshape(x.shape[0], -1))


def load_digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """sklearn's 1797 digits, upsampled from 8x8 to 16x16 in [0, 1], split 1200 / 597."""
    from sklearn.datasets import load_digits as sklearn_digits

    data = sklearn_digits()
    images = jnp.asarray(data.images[..., None] / 16.0, jnp.float32)
    images = np.asarray(jax.image.resize(images, (images.shape[0], 16, 16, 1), "linear"))
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], data.target[order]
    return images[:1200], labels[:1200], images[1200:], labels[1200:]


def progress(done: int, total: int, label: str, extra: str = "") -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = int(width * done / total)
    sys.stderr.write(f"\r{label:<8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {extra}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run(name: str, mixer: object, data: tuple, steps: int, batch_size: int) -> dict[str, float]:
    x_train, y_train, x_test, y_test = data
    model = CNN(nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adamw(2e-3, weight_decay=1e-4), wrt=nnx.Param)
    augment = ja.Compose([ja.RandomRotation(10, interpolation="bilinear"), ja.RandomResizedCrop(16, scale=(0.85, 1.0), ratio=(0.9, 1.1))])
    step = train.make_train_step(augment=augment, mix=mixer, num_classes=10)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for i in range(steps):
        idx = rng.choice(len(x_train), batch_size, replace=False)
        metrics = step(model, optimizer, jax.random.key(i), (x_train[idx], y_train[idx]))
        if (i + 1) % 10 == 0 or i + 1 == steps:
            progress(i + 1, steps, name, f"loss {float(metrics['loss']):.3f}")
    seconds = time.perf_counter() - start
    plain = train.make_eval_step(num_classes=10)(model, (x_test, y_test))
    views = [tta.shift(1, 0), tta.shift(-1, 0), tta.shift(0, 1), tta.shift(0, -1), tta.zoom(1.08)]
    with_tta = train.make_eval_step(views=views, num_classes=10)(model, (x_test, y_test))
    return {"accuracy": float(plain["accuracy"]), "accuracy_tta": float(with_tta["accuracy"]), "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="20 steps per run")
    parser.add_argument("--out", default="train_digits.png", help="PNG bar chart of the accuracies")
    args = parser.parse_args()
    steps = 20 if args.quick else args.steps

    data = load_digits()
    print(f"digits: {len(data[0])} train, {len(data[2])} test, 16x16x1; {steps} steps of {args.batch_size}")
    runs = {
        "plain": None,
        "mixup": mix.Mixup(mixup_alpha=0.2, cutmix_alpha=0.0, label_smoothing=0.0, num_classes=10),
        "cutmix": mix.Mixup(mixup_alpha=0.0, cutmix_alpha=1.0, label_smoothing=0.0, num_classes=10),
    }
    results = {name: run(name, mixer, data, steps, args.batch_size) for name, mixer in runs.items()}

    print(f"\n{'run':<8} {'accuracy':>9} {'with TTA':>9} {'train s':>8}")
    for name, r in results.items():
        print(f"{name:<8} {r['accuracy']:>9.3f} {r['accuracy_tta']:>9.3f} {r['seconds']:>8.1f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    names = list(results)
    positions = np.arange(len(names))
    ax.bar(positions - 0.2, [results[n]["accuracy"] for n in names], 0.4, label="without TTA")
    ax.bar(positions + 0.2, [results[n]["accuracy_tta"] for n in names], 0.4, label="with TTA (shifts, zoom)")
    ax.set_xticks(positions, names)
    ax.set_ylim(0.5 if args.quick else 0.8, 1.0)
    ax.set_ylabel("test accuracy")
    ax.legend(loc="lower right")
    ax.set_title(f"digits, {steps} steps")
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
