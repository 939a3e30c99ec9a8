"""Every number the README states is a test at that number (issue #17).

Speed and memory figures are measurements (benchmarks/RESULTS.md), not tests; the accuracy
tolerances are in test_torchvision_reference.py; the rest is here.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import mix, presets, signal

KEY = jax.random.key(0)


def _steps(pipeline):
    return {type(t).__name__: t for t in pipeline.transforms}


def test_xray_preset_is_the_readme_pipeline():
    # README: Resize(256), RandomResizedCrop(224, scale=(0.8, 1.0)), hflip 0.5, rotation <= 10
    # degrees, brightness and contrast 0.1; safety table: scale >= 0.8, <= 10 degrees, no vflip.
    steps = _steps(presets.xray_train())
    assert steps["Resize"].size == 256
    assert steps["RandomResizedCrop"].size == (224, 224) and steps["RandomResizedCrop"].scale == (0.8, 1.0)
    assert steps["RandomHorizontalFlip"].p == 0.5
    assert steps["RandomRotation"].degrees == (-10.0, 10.0)
    assert steps["ColorJitter"].brightness == (0.9, 1.1) and steps["ColorJitter"].contrast == (0.9, 1.1)
    assert steps["ColorJitter"].saturation is None and steps["ColorJitter"].hue is None
    assert steps["Normalize"].mean == (0.5,) and steps["Normalize"].std == (0.5,)
    assert "RandomVerticalFlip" not in steps and "RandomErasing" not in steps


def test_pathology_preset_keeps_hue_within_the_stated_bound():
    # README: histopathology colour "mild, hue <= 0.05".
    jitter = _steps(presets.pathology_train())["ColorJitter"]
    assert jitter.hue == (-0.05, 0.05)


def test_ecg_time_scaling_stays_within_ten_percent():
    # README safety table: time scaling <= 10% (heart rate is a finding); augment_ecg's default.
    ecg = jnp.sin(jnp.arange(2000.0) * 2 * jnp.pi * 1.0 / 100.0)[:, None]  # 1 Hz at 100 Hz
    outs = jax.vmap(lambda k: signal.augment_ecg(k, ecg, p=1.0, fs=100.0, noise_std=0.0, wander_amplitude=0.0))(
        jax.random.split(KEY, 64)
    )
    # The rate is read from the zero crossings of the first second half of the trace.
    crossings = np.sum(np.diff(np.sign(np.asarray(outs[:, :1000, 0])), axis=1) != 0, axis=1)
    assert crossings.min() >= 0.88 * 20 and crossings.max() <= 1.12 * 20
    assert crossings.max() > crossings.min()  # it does scale


def test_unit_range_slack_is_one_thousandth():
    # README: a float image outside [0, 1] by more than 1e-3 is refused.
    jitter = ja.ColorJitter(brightness=0.1)
    jitter(KEY, jnp.full((4, 4, 3), 1.0009))
    jitter(KEY, jnp.full((4, 4, 3), -0.0009))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        jitter(KEY, jnp.full((4, 4, 3), 1.0011))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        jitter(KEY, jnp.full((4, 4, 3), -0.0011))


def test_ct_windows_in_the_readme():
    # README: soft tissue window(ct, center=40, width=400); lung -600, 1500.
    hu = jnp.array([-160.0, 40.0, 240.0, -1350.0, 150.0])
    np.testing.assert_allclose(ja.image.window(hu[:3], center=40, width=400), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(ja.image.window(hu[3:], center=-600, width=1500), [0.0, 1.0])


def test_mixing_label_smoothing_defaults():
    # README / docstrings: timm-style Mixup smooths by 0.1, mixup() and cutmix() by 0.
    assert mix.Mixup().label_smoothing == 0.1
    x, y = jnp.zeros((2, 4, 4, 1)), jnp.array([0, 1])
    _, soft = mix.cutmix(KEY, x, y, num_classes=2, alpha=0.0)
    np.testing.assert_array_equal(soft, jax.nn.one_hot(y, 2))
    _, soft = mix.mixup(KEY, x, y, num_classes=2, alpha=0.0)
    np.testing.assert_array_equal(soft, jax.nn.one_hot(y, 2))


def test_every_transform_in_the_readme_table_exists_with_its_torchvision_defaults():
    assert ja.RandomHorizontalFlip().p == 0.5 and ja.RandomVerticalFlip().p == 0.5
    assert ja.RandomGrayscale().p == 0.1
    erasing = ja.RandomErasing()
    assert (erasing.p, erasing.scale, erasing.ratio) == (0.5, (0.02, 0.33), (0.3, 3.3))
    crop = ja.RandomResizedCrop(8)
    assert crop.scale == (0.08, 1.0) and crop.ratio == pytest.approx((3 / 4, 4 / 3))
    assert ja.GaussianBlur(3).sigma == (0.1, 2.0)
    assert ja.RandomRotation(10).interpolation == "nearest"
