"""Grain loads and batches on the host; jaxaug augments on the device inside the jitted step.

The split of work that scales: Grain reads records, shuffles with its own seed, decodes to
uint8 and batches, with worker processes if asked (`--workers`). Nothing random happens on
the host. The uint8 batch goes to the device (4x fewer bytes than float32), and the training
step augments each example with its own key, mixes and updates, all in one jit. The run is
reproducible from two seeds: Grain's (order) and the JAX key (augmentation), and Grain's
iterator state can be saved with a checkpoint and restored to resume on the same batch.

    pip install -e '.[examples,loading]'
    python examples/grain_loading.py            # about a minute on 2 CPU cores
    python examples/grain_loading.py --quick    # a few seconds (the test suite runs this)
"""

from __future__ import annotations

import argparse

import grain
import jax
import numpy as np
import optax
from flax import nnx
from train_digits import CNN, progress  # the same model and progress bar as examples/train_digits.py

import jaxaug as ja
from jaxaug import mix, train


class DigitSource:
    """Random access to sklearn's digits as records: a (16, 16, 1) uint8 image and a label.

    Grain needs only ``__len__`` and ``__getitem__``; a real source would read a file here
    (ArrayRecord, DICOM, PNG) and decode it.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.images = images
        self.labels = labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict[str, np.ndarray]:
        return {"image": self.images[index], "label": self.labels[index]}


def load_digits() -> tuple[DigitSource, DigitSource]:
    """Digits upsampled to 16x16 uint8 (nearest, on the host), split 1200 / 597."""
    from sklearn.datasets import load_digits as sklearn_digits

    data = sklearn_digits()
    images = np.repeat(np.repeat(data.images, 2, axis=1), 2, axis=2)
    images = np.round(images * (255 / 16)).astype(np.uint8)[..., None]
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], data.target[order].astype(np.int32)
    return DigitSource(images[:1200], labels[:1200]), DigitSource(images[1200:], labels[1200:])


def training_batches(source: DigitSource, batch_size: int, seed: int, workers: int) -> grain.IterDataset:
    """Shuffled, repeated, batched; a new order every epoch, fixed by `seed`."""
    dataset = grain.MapDataset.source(source).seed(seed).shuffle().repeat().batch(batch_size, drop_remainder=True)
    iterable = dataset.to_iter_dataset()
    if workers > 0:
        # Grain reads absl flags in its workers; a script that does not use absl.app parses none.
        from absl import flags

        flags.FLAGS.mark_as_parsed()
        iterable = iterable.mp_prefetch(grain.MultiprocessingOptions(num_workers=workers))
    return iterable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, default=0, help="Grain worker processes (0: load in this process)")
    parser.add_argument("--quick", action="store_true", help="20 steps")
    parser.add_argument("--out", default="grain_loading.png", help="PNG of the loss curve")
    args = parser.parse_args()
    steps = 20 if args.quick else args.steps

    train_source, test_source = load_digits()
    batches = training_batches(train_source, args.batch_size, seed=0, workers=args.workers)

    # Per-example draws on the device: the pipeline sees one uint8 (16, 16, 1) image and a key.
    augment = ja.Compose(
        [
            ja.RandomRotation(10, interpolation="bilinear"),
            ja.RandomResizedCrop(16, scale=(0.85, 1.0), ratio=(0.9, 1.1)),
            ja.ToFloat(),
        ]
    )
    model = CNN(nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adamw(2e-3, weight_decay=1e-4), wrt=nnx.Param)
    step = train.make_train_step(augment=augment, mix=mix.Mixup(mixup_alpha=0.2, num_classes=10), num_classes=10)
    key = ja.fold_in_process(jax.random.key(0))

    iterator = iter(batches)
    losses = []
    for i in range(steps):
        if i == steps // 2:
            saved_state = iterator.get_state()  # what a checkpoint would store beside the model
        batch = next(iterator)
        if i == steps // 2:
            batch_after_saved_state = batch
        metrics = step(model, optimizer, jax.random.fold_in(key, i), (batch["image"], batch["label"]))
        losses.append(float(metrics["loss"]))
        if (i + 1) % 5 == 0 or i + 1 == steps:
            progress(i + 1, steps, "training", f"loss {losses[-1]:.3f}")

    # Resuming: a fresh iterator restored from the saved state yields the batch that followed it.
    resumed = iter(training_batches(train_source, args.batch_size, seed=0, workers=args.workers))
    resumed.set_state(saved_state)
    same = bool(np.array_equal(next(resumed)["image"], batch_after_saved_state["image"]))
    print(f"resumed from saved Grain state gives the same batch: {same}")

    evaluate = train.make_eval_step(num_classes=10)
    accuracy = float(evaluate(model, (test_source.images.astype(np.float32) / 255.0, test_source.labels))["accuracy"])
    print(f"{steps} steps of {args.batch_size} (uint8 from Grain, augmented on {jax.devices()[0].platform}): "
          f"loss {losses[0]:.3f} -> {losses[-1]:.3f}, test accuracy {accuracy:.3f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(losses)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (mixed targets)")
    ax.set_title(f"Grain -> jaxaug -> optax, test accuracy {accuracy:.2f}")
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
