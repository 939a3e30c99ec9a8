"""Grain loads and batches on the host; jaxaug augments on the device inside the jitted step;
a checkpoint resumes the run exactly where it stopped.

The split of work that scales: Grain reads records, shuffles with its own seed, decodes to
uint8 and batches, with worker processes if asked (`--workers`). Nothing random happens on
the host. The uint8 batch goes to the device (4x fewer bytes than float32), and the training
step augments each example with its own key, mixes and updates, all in one jit.

Resuming gives the same augmented batches and the same loss curve, bit for bit, as a run that
was never stopped, because a checkpoint holds everything the next step reads (see
`save_checkpoint` for why each piece is there):

    pip install -e '.[examples,loading]'
    python examples/grain_loading.py            # about a minute on 2 CPU cores
    python examples/grain_loading.py --quick    # a few seconds (the test suite runs this)

    # stop after 150 of 300 steps (a checkpoint every 50), then go on in a new process:
    python examples/grain_loading.py --checkpoint-dir ckpt --checkpoint-every 50 --stop-after 150
    python examples/grain_loading.py --checkpoint-dir ckpt --resume

tests/test_resume.py runs the three runs (uninterrupted, stopped, resumed) in separate
processes and compares the batches and losses step by step.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from pathlib import Path

import grain
import jax
import numpy as np
import optax
import orbax.checkpoint as ocp
from flax import nnx
from train_digits import CNN, progress_bar  # the same model and progress bar as examples/train_digits.py

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


def make_pipeline() -> ja.Compose:
    """Per-example draws on the device: the pipeline sees one uint8 (16, 16, 1) image and a key."""
    return ja.Compose(
        [
            ja.RandomRotation(10, interpolation="bilinear"),
            ja.RandomResizedCrop(16, scale=(0.85, 1.0), ratio=(0.9, 1.1)),
            ja.ToFloat(),
        ]
    )


def pipeline_config(pipeline: ja.Transform) -> str:
    """The pipeline as text, saved with the checkpoint and compared when resuming.

    ``ja.to_config`` names every argument, defaults included, and the jaxaug version; a resumed
    run could also rebuild the pipeline from it with ``ja.from_config`` instead of only checking.
    """
    return json.dumps(ja.to_config(pipeline), sort_keys=True)


def step_key(key: jax.Array, step: int) -> jax.Array:
    """The key of one step, derived from the run's key and the step number (never carried over)."""
    return jax.random.fold_in(key, step)


def save_checkpoint(
    manager: ocp.CheckpointManager,
    step: int,
    model: nnx.Module,
    optimizer: nnx.Optimizer,
    iterator: grain.DatasetIterator,
    key: jax.Array,
    seed: int,
    batch_size: int,
    pipeline: ja.Transform,
) -> None:
    """Save what the steps after `step` read, so a new process continues exactly.

    - model and optimizer state (Orbax): the weights, and Adam's moments and step count;
      without the moments the first resumed updates differ from the uninterrupted run's.
    - Grain's iterator state: where the shuffled, repeated stream stands (epoch and position),
      so the next batch is the one that would have come; restarting the iterator would replay
      the first batches of the epoch.
    - the seed and the batch size: the state is a position in Grain's order, and the order
      comes from the seed (a resumed run with another `--seed` would read other records).
    - the run's JAX key and the step number: every augmentation and mixing draw is
      ``fold_in(key, step)``, so these two give the resumed steps the same draws. The key is
      saved as it is rather than rebuilt from the seed, so a key made some other way (per
      host, from a launcher) resumes too.
    - the pipeline's configuration: the same key through a different pipeline gives other
      images; resuming checks it (and will rebuild it once ``ja.from_config`` exists).
    """
    manager.save(
        step,
        args=ocp.args.Composite(
            state=ocp.args.StandardSave({"model": nnx.state(model), "optimizer": nnx.state(optimizer)}),
            data=grain.checkpoint.CheckpointSave(iterator),
            meta=ocp.args.JsonSave(
                {
                    "step": step,
                    "seed": seed,
                    "batch_size": batch_size,
                    "key": jax.random.key_data(key).tolist(),
                    "key_impl": str(jax.random.key_impl(key)),
                    "pipeline": pipeline_config(pipeline),
                }
            ),
        ),
    )
    manager.wait_until_finished()


def saved_run(manager: ocp.CheckpointManager) -> dict:
    """The latest checkpoint's step, seed, batch size, key and pipeline (read before the rest:
    the data iterator is built from the saved seed)."""
    step = manager.latest_step()
    if step is None:
        raise SystemExit(f"no checkpoint in {manager.directory} to resume from")
    return manager.restore(step, args=ocp.args.Composite(meta=ocp.args.JsonRestore())).meta


def restore_checkpoint(
    manager: ocp.CheckpointManager,
    model: nnx.Module,
    optimizer: nnx.Optimizer,
    iterator: grain.DatasetIterator,
    pipeline: ja.Transform,
) -> tuple[int, jax.Array]:
    """Load the latest checkpoint into `model`, `optimizer` and `iterator`; return (step, key)."""
    step = manager.latest_step()
    target = {"model": nnx.state(model), "optimizer": nnx.state(optimizer)}
    abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, target)
    restored = manager.restore(
        step,
        args=ocp.args.Composite(
            state=ocp.args.StandardRestore(abstract),
            data=grain.checkpoint.CheckpointRestore(iterator),
            meta=ocp.args.JsonRestore(),
        ),
    )
    if restored.meta["pipeline"] != pipeline_config(pipeline):
        raise SystemExit(
            "the checkpoint was written with another augmentation pipeline:\n"
            f"  saved:   {restored.meta['pipeline']}\n  current: {pipeline_config(pipeline)}"
        )
    nnx.update(model, restored.state["model"])
    nnx.update(optimizer, restored.state["optimizer"])
    key = jax.random.wrap_key_data(np.asarray(restored.meta["key"], np.uint32), impl=restored.meta["key_impl"])
    return restored.meta["step"], key


def digest(array: jax.Array | np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(np.asarray(array)).tobytes()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300, help="steps of the whole run")
    parser.add_argument("--seed", type=int, default=0, help="Grain's order and the JAX key (a resumed run takes the saved one)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, default=0, help="Grain worker processes (0: load in this process)")
    parser.add_argument("--quick", action="store_true", help="20 steps, resumed once from step 10 in this process")
    parser.add_argument("--out", default="grain_loading.png", help="PNG of the loss curve")
    parser.add_argument("--checkpoint-dir", help="where checkpoints go (default: a temporary folder)")
    parser.add_argument("--checkpoint-every", type=int, default=0, help="save every N steps (0: never)")
    parser.add_argument("--stop-after", type=int, help="stop after this step, as if the job were killed")
    parser.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --checkpoint-dir")
    parser.add_argument("--record", help="append each step's batch and augmented-batch digests and loss (JSON lines)")
    parser.add_argument("--train-only", action="store_true", help="no test evaluation and no plot (tests/test_resume.py)")
    args = parser.parse_args()
    steps = 20 if args.quick else args.steps
    if args.quick and not args.checkpoint_every:
        args.checkpoint_every = steps // 2
    if args.resume and not args.checkpoint_dir:
        parser.error("--resume needs --checkpoint-dir")
    temporary = None if args.checkpoint_dir else tempfile.TemporaryDirectory(prefix="jaxaug_ckpt_")  # removed at exit
    checkpoint_dir = Path(args.checkpoint_dir or temporary.name).resolve()

    train_source, test_source = load_digits()
    pipeline = make_pipeline()
    model = CNN(nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adamw(2e-3, weight_decay=1e-4), wrt=nnx.Param)
    step = train.make_train_step(augment=pipeline, mix=mix.Mixup(mixup_alpha=0.2, num_classes=10), num_classes=10)
    augment_batch = jax.jit(ja.batch(pipeline))  # only for the record: what the step's pipeline draws
    manager = ocp.CheckpointManager(checkpoint_dir)
    if args.resume:
        saved = saved_run(manager)
        args.seed, args.batch_size = saved["seed"], saved["batch_size"]
    iterator = iter(training_batches(train_source, args.batch_size, seed=args.seed, workers=args.workers))
    key = ja.fold_in_process(jax.random.key(args.seed))

    first = 0
    if args.resume:
        first, key = restore_checkpoint(manager, model, optimizer, iterator, pipeline)
        print(f"resumed from step {first} in {checkpoint_dir} (seed {args.seed}, batch size {args.batch_size})")
    record = open(args.record, "a") if args.record else None  # noqa: SIM115 - closed below
    losses = []
    bar = progress_bar(range(first, steps), desc="training", initial=first, total=steps)
    for i in bar:
        batch = next(iterator)
        metrics = step(model, optimizer, step_key(key, i), (batch["image"], batch["label"]))
        losses.append(float(metrics["loss"]))
        bar.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)
        if record:
            augmented = augment_batch(step_key(key, i), batch["image"])
            row = {"step": i, "batch": digest(batch["image"]), "augmented": digest(augmented), "loss": losses[-1].hex()}
            record.write(json.dumps(row) + "\n")
        done = i + 1
        if args.checkpoint_every and done % args.checkpoint_every == 0 and done < steps:
            save_checkpoint(manager, done, model, optimizer, iterator, key, args.seed, args.batch_size, pipeline)
        if args.stop_after is not None and done >= args.stop_after:
            break
    bar.close()
    if record:
        record.close()
    if args.stop_after is not None and done < steps:
        print(f"stopped after step {done}; continue with --checkpoint-dir {checkpoint_dir} --resume")
        manager.close()
        return

    if args.quick:
        # Resuming in this process: a fresh model, optimizer and iterator restored from the
        # checkpoint at step 10 give the step-10 batch and loss of the run above.
        fresh_model = CNN(nnx.Rngs(1))
        fresh_optimizer = nnx.Optimizer(fresh_model, optax.adamw(2e-3, weight_decay=1e-4), wrt=nnx.Param)
        fresh_iterator = iter(training_batches(train_source, args.batch_size, seed=args.seed, workers=args.workers))
        at, fresh_key = restore_checkpoint(manager, fresh_model, fresh_optimizer, fresh_iterator, pipeline)
        batch = next(fresh_iterator)
        loss = float(step(fresh_model, fresh_optimizer, step_key(fresh_key, at), (batch["image"], batch["label"]))["loss"])
        print(f"resumed at step {at}: loss {loss:.6f}, uninterrupted {losses[at]:.6f}, identical: {loss == losses[at]}")
    manager.close()
    if args.train_only:
        return

    evaluate = train.make_eval_step(num_classes=10)
    accuracy = float(evaluate(model, (test_source.images.astype(np.float32) / 255.0, test_source.labels))["accuracy"])
    print(f"steps {first}..{steps} of {args.batch_size} (uint8 from Grain, augmented on {jax.devices()[0].platform}): "
          f"loss {losses[0]:.3f} -> {losses[-1]:.3f}, test accuracy {accuracy:.3f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(range(first, first + len(losses)), losses)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (mixed targets)")
    ax.set_title(f"Grain -> jaxaug -> optax, test accuracy {accuracy:.2f}")
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
