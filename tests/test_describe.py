"""ja.describe reports what the transform did: each reported parameter, given to the functional
op, reproduces the output of ``ja.batch(t)`` (same per-example keys); the table is written as
CSV and JSON exactly."""

import csv
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import image as F
from jaxaug import mix

N, SHAPE = 6, (16, 20, 3)
KEY = jax.random.key(8)
IMAGES = jnp.asarray(np.random.default_rng(0).uniform(size=(N, *SHAPE)), jnp.float32)


def batch_and_description(t):
    out = np.asarray(jax.jit(ja.batch(t))(KEY, IMAGES))
    return out, ja.describe(t, KEY, SHAPE, batch_size=N)


def test_resized_crop_and_erased_boxes_are_where_the_output_comes_from():
    t = ja.Compose([ja.RandomResizedCrop((12, 10), scale=(0.2, 0.7), ratio=(0.5, 1.5)), ja.RandomErasing(p=1, scale=(0.05, 0.3), value=0.25)])
    out, d = batch_and_description(t)
    crop = [d[f"0.RandomResizedCrop.{k}"] for k in ("top", "left", "height", "width")]
    erased = [d[f"1.RandomErasing.{k}"] for k in ("top", "left", "height", "width")]
    assert np.all(np.asarray(d["1.RandomErasing.erase"])) and "1.RandomErasing.noise_key" not in d
    heights = np.asarray(d["0.RandomResizedCrop.height"])
    assert len(set(heights.tolist())) > 1 and np.any(heights < SHAPE[0])
    replay = jax.jit(jax.vmap(lambda x, c, e: F.erase(F.resized_crop(x, *c, (12, 10)), *e, 0.25)))
    np.testing.assert_allclose(out, np.asarray(replay(IMAGES, crop, erased)), atol=1e-6)
    # The erased box alone, on the transform's own crop: exactly the erased pixels change.
    cropped = np.asarray(jax.jit(jax.vmap(lambda x, c: F.resized_crop(x, *c, (12, 10))))(IMAGES, crop))
    changed = np.any(np.abs(out - cropped) > 1e-5, axis=-1)
    for i in range(N):
        top, left, h, w = (int(np.asarray(v)[i]) for v in erased)
        inside = np.zeros((12, 10), bool)
        inside[top : top + h, left : left + w] = True
        assert np.array_equal(changed[i], inside)


def test_random_crop_box_is_in_input_pixels_with_padding_outside():
    out, d = batch_and_description(ja.RandomCrop((10, 12), padding=3))
    assert np.asarray(d["top"]).min() < 0 or np.asarray(d["left"]).min() < 0  # a box reaching into the padding
    expected = jax.jit(jax.vmap(lambda x, top, left: F.crop(x, top, left, 10, 12)))(IMAGES, d["top"], d["left"])
    np.testing.assert_array_equal(out, np.asarray(expected))
    assert np.all(np.asarray(d["height"]) == 10) and np.all(np.asarray(d["width"]) == 12)


def test_rotation_angle_in_degrees_reproduces_the_output():
    out, d = batch_and_description(ja.RandomRotation((10, 50), interpolation="bilinear", fill=0.5))
    assert np.all((np.asarray(d["angle"]) >= 10) & (np.asarray(d["angle"]) <= 50))
    expected = jax.jit(jax.vmap(lambda x, a: F.rotate(x, a, "bilinear", fill=0.5)))(IMAGES, d["angle"])
    np.testing.assert_allclose(out, np.asarray(expected), atol=1e-6)


def test_compose_reports_each_step_in_its_own_input_pixels_and_which_steps_applied():
    t = ja.Compose(
        [
            ja.Resize((20, 26)),
            ja.RandomCrop((14, 18)),
            ja.RandomApply([ja.RandomHorizontalFlip(1)], p=0.5),
            ja.RandomChoice([ja.RandomVerticalFlip(1), ja.ColorJitter(brightness=(0.5, 0.9))], p=[0.4, 0.6]),
        ]
    )
    out, d = batch_and_description(t)
    assert list(d) == [
        "1.RandomCrop.top",
        "1.RandomCrop.left",
        "1.RandomCrop.height",
        "1.RandomCrop.width",
        "2.RandomApply.applied",
        "2.RandomApply.0.RandomHorizontalFlip.flip",
        "3.RandomChoice.index",
        "3.RandomChoice.0.RandomVerticalFlip.flip",
        "3.RandomChoice.1.ColorJitter.order[0]",
        "3.RandomChoice.1.ColorJitter.order[1]",
        "3.RandomChoice.1.ColorJitter.order[2]",
        "3.RandomChoice.1.ColorJitter.order[3]",
        "3.RandomChoice.1.ColorJitter.brightness",
        "3.RandomChoice.1.ColorJitter.contrast",
        "3.RandomChoice.1.ColorJitter.saturation",
        "3.RandomChoice.1.ColorJitter.hue",
    ]
    d = {k: np.asarray(v) for k, v in d.items()}
    assert 0 < d["2.RandomApply.applied"].sum() < N and 0 < d["3.RandomChoice.index"].sum() < N
    # The crop box is in the resized image's pixels (the crop's input), not the original's.
    assert d["1.RandomCrop.left"].max() > 0 and d["1.RandomCrop.left"].max() <= 26 - 18
    resized = np.asarray(jax.jit(jax.vmap(lambda x: F.resize(x, (20, 26))))(IMAGES))
    for i in range(N):
        top, left = int(d["1.RandomCrop.top"][i]), int(d["1.RandomCrop.left"][i])
        x = resized[i, top : top + 14, left : left + 18]
        if d["2.RandomApply.applied"][i]:
            x = x[:, ::-1]
        if d["3.RandomChoice.index"][i] == 0:
            x = x[::-1]
        else:
            x = np.clip(x * d["3.RandomChoice.1.ColorJitter.brightness"][i], 0, 1)  # torchvision's adjust_brightness
        np.testing.assert_allclose(out[i], x, atol=1e-6)


def test_one_example_equals_its_row_of_the_batch():
    t = ja.Compose([ja.RandomResizedCrop(8), ja.RandomRotation(20)])
    batched = ja.describe(t, KEY, SHAPE, batch_size=2)
    keys = jax.random.split(KEY, 2)
    for i in range(2):
        one = ja.describe(t, keys[i], SHAPE)
        assert list(one) == list(batched)
        for k in one:
            assert one[k].shape == () and np.asarray(one[k]) == np.asarray(batched[k][i]), k


def test_switching_mixer_reports_which_method_each_example_got():
    mixer = mix.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, switch_prob=0.5, mode="elem", label_smoothing=0.0, num_classes=4)
    labels = jnp.array([0, 1, 2, 3, 1, 2])
    x_mixed, y_mixed = (np.asarray(v) for v in jax.jit(mixer)(KEY, IMAGES, labels))
    d = {k: np.asarray(v) for k, v in ja.describe(mixer, KEY, IMAGES.shape).items()}
    x, onehot, w = np.asarray(IMAGES), np.eye(4)[np.asarray(labels)], d["weight"][:, None]
    np.testing.assert_allclose(y_mixed, w * onehot + (1 - w) * onehot[d["partner"]], atol=1e-6)
    assert len(set(d["weight"].tolist())) > 1
    others = [i for i in range(N) if d["partner"][i] != i]
    assert len({bool(d["cutmix"][i]) for i in others}) == 2  # both methods among the examples
    for i in others:
        partner, w = x[d["partner"][i]], d["weight"][i]
        if d["cutmix"][i]:
            own = np.all(x_mixed[i] == x[i], axis=-1)
            assert np.all(own ^ np.all(x_mixed[i] == partner, axis=-1))
            assert w == pytest.approx(own.mean(), abs=1e-6)
        else:
            np.testing.assert_allclose(x_mixed[i], w * x[i] + (1 - w) * partner, atol=1e-6)


def test_write_description_as_csv_and_json_exactly(tmp_path):
    d = ja.describe(ja.Compose([ja.RandomHorizontalFlip(0.5), ja.RandomRotation((0, 30))]), KEY, SHAPE, batch_size=4)
    ja.write_description(d, tmp_path / "draws.csv")
    rows = list(csv.DictReader((tmp_path / "draws.csv").read_text().splitlines()))
    assert len(rows) == 4 and list(rows[0]) == list(d)
    angles = np.asarray(d["1.RandomRotation.angle"])
    assert [np.float32(float(r["1.RandomRotation.angle"])) for r in rows] == angles.tolist()
    assert [r["0.RandomHorizontalFlip.flip"] == "true" for r in rows] == np.asarray(d["0.RandomHorizontalFlip.flip"]).tolist()
    ja.write_description(d, tmp_path / "draws.json")
    columns = json.loads((tmp_path / "draws.json").read_text())
    assert columns["1.RandomRotation.angle"] == angles.tolist()
    with pytest.raises(ValueError, match="must end in .csv or .json"):
        ja.write_description(d, tmp_path / "draws.txt")


def test_describe_refuses_what_it_cannot_describe():
    with pytest.raises(TypeError, match="describe: transform must be a jaxaug transform"):
        ja.describe(lambda k, x: x, KEY, SHAPE)
    with pytest.raises(ValueError, match="describe: shape"):
        ja.describe(ja.RandomRotation(10), KEY, 16)
    with pytest.raises(ValueError, match="RandomCrop: size"):
        ja.describe(ja.RandomCrop(40), KEY, SHAPE)
