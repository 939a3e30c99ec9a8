"""A pipeline as data (issue #14): config, JSON file, repr and fingerprint.

The round trip of every transform in CASES is in test_contract.py; here: the registry, presets
at their defaults, signals, tables and mixing, what is refused and how, and the fingerprint.
"""

import dataclasses
import hashlib
import importlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxaug as ja
from jaxaug import mix, presets, signal, tabular
from jaxaug._config import registry


def via_json(t):
    return ja.from_config(json.loads(json.dumps(ja.to_config(t), allow_nan=False)))


def test_registry_holds_every_exported_transform_under_its_own_name():
    classes = set(registry().values())
    modules = [ja]
    try:
        modules.append(importlib.import_module("jaxaug.volume"))
    except ModuleNotFoundError:
        pass
    for module in modules:
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, ja.Transform) and dataclasses.is_dataclass(obj):
                assert obj in classes, name
    assert registry()["RandomChoice"] is ja.RandomChoice  # not under its alias OneOf
    assert registry()["signal.ECGAugment"] is signal.ECGAugment
    assert registry()["tabular.Augment"] is tabular.Augment
    assert registry()["mix.Mixup"] is mix.Mixup


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_presets_at_their_defaults_round_trip(name):
    t = presets.PRESETS[name]()
    assert via_json(t) == t
    assert ja.fingerprint(via_json(t)) == ja.fingerprint(t)


def test_lists_come_back_as_the_tuples_the_transforms_hold():
    t = ja.RandomChoice([ja.RandomCrop([10, 12], padding=[1, 2]), ja.CenterCrop((10, 12), fill=[0.1, 0.2, 0.3])], p=[1, 3])
    loaded = via_json(t)
    assert loaded == t and hash(loaded) == hash(t)
    assert loaded.transforms[1].fill == (0.1, 0.2, 0.3) and loaded.p == (0.25, 0.75)
    # Whatever a transform's __post_init__ does, JSON lists are read as tuples, nested too.
    config = ja.to_config(ja.ToFloat())
    assert ja._config._decode([1, [2.5, "a"], None], "x", {}) == (1, (2.5, "a"), None)
    assert ja.from_config(config) == ja.ToFloat()


def test_ecg_augment_round_trips_and_equals_augment_ecg():
    aug = signal.ECGAugment(p=1, fs=100.0, noise_std=[0.01, 0.1], wander_max_freq=0.4, scale=(0.95, 1.2))
    loaded = via_json(aug)
    assert loaded == aug and hash(loaded) == hash(aug)
    x = jnp.sin(jnp.arange(64.0) / 7.0)[:, None] * jnp.array([[1.0, 2.0, 0.5]])

    @jax.jit  # one compile for both (eager signal ops are slow to dispatch)
    def both(key):
        return loaded(key, x), signal.augment_ecg(key, x, 1, 100.0, noise_std=(0.01, 0.1), wander_max_freq=0.4, scale=(0.95, 1.2))

    got, expected = both(jax.random.key(3))
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
    assert not np.array_equal(np.asarray(expected), np.asarray(x))
    with pytest.raises(ValueError, match="ECGAugment: wander_max_freq"):
        signal.ECGAugment(fs=100.0, wander_max_freq=60.0)


def test_tabular_augment_round_trips_arrays_and_infinite_bounds_exactly():
    X = jnp.array([[63.0, 1.2, 0.0, 5.5], [45.0, 0.9, 1.0, 7.1], [50.0, 1.05, 0.0, 6.3]])
    scale = tabular.fit_scale(X)
    lower = np.array([0.0, 0.5, -np.inf, 0.0])
    upper = np.array([120.0, np.inf, np.inf, 14.0])
    args = {"scale": scale, "frozen": [2], "lower": lower, "upper": upper, "fill": X.mean(axis=0)}
    aug = tabular.Augment(noise_std=0.3, dropout_prob=0.4, **args)
    text = json.dumps(ja.to_config(aug), allow_nan=False)  # strict JSON: no Infinity
    loaded = ja.from_config(json.loads(text))
    assert loaded == aug and hash(loaded) == hash(aug) and loaded.lower[2] == -math.inf
    both = jax.jit(lambda key: (loaded(key, X[0]), tabular.augment(key, X[0], 0.3, 0.4, **args)))
    got, expected = both(jax.random.key(5))
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
    assert not np.array_equal(np.asarray(expected), np.asarray(X[0]))


def test_mixup_round_trips():
    mixer = mix.Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, cutmix_minmax=[0.2, 0.8], num_classes=5, mode="elem")
    assert via_json(mixer) == mixer and hash(via_json(mixer)) == hash(mixer)


def test_save_writes_strict_json_that_load_reads(tmp_path):
    t = ja.Compose([ja.RandomApply([ja.RandomRotation((0, 30), fill=1)], p=0.3), ja.ToFloat()])
    path = tmp_path / "augment.json"
    ja.save(t, path)

    def refuse(constant):
        raise AssertionError(f"not JSON: {constant}")

    config = json.loads(path.read_text(), parse_constant=refuse)
    assert config["schema"] == 1 and config["jaxaug"] == ja.__version__
    assert ja.load(path) == t and ja.load(str(path)) == t


_GOOD = ja.Compose([ja.Resize(20), ja.RandomHorizontalFlip(), ja.RandomRotation(10), ja.RandomApply([ja.GaussianBlur(3)], p=0.2)])


def _edited(change):
    config = json.loads(json.dumps(ja.to_config(_GOOD)))
    change(config["pipeline"]["args"]["transforms"], config)
    return config


@pytest.mark.parametrize(
    "change, error, message",
    [
        (lambda steps, c: c.update(schema=2), ValueError, r"schema 2 is newer than this jaxaug's \(1\)"),
        (lambda steps, c: steps[2].update(type="RandomTwist"), ValueError, r"^from_config: transforms\[2\] \(RandomTwist\): unknown transform"),
        (lambda steps, c: steps[2].update(type="os.system"), ValueError, r"transforms\[2\] \(os\.system\): unknown transform"),
        (lambda steps, c: steps[2].update(type="GeometricTransform"), ValueError, r"transforms\[2\] \(GeometricTransform\): unknown"),
        (
            lambda steps, c: steps[2]["args"].update(degrees=[30, -30]),
            ValueError,
            r"^from_config: transforms\[2\] \(RandomRotation\): RandomRotation: degrees must satisfy min <= max",
        ),
        (lambda steps, c: steps[1]["args"].update(prob=0.5), ValueError, r"transforms\[1\] \(RandomHorizontalFlip\): unknown argument\(s\) \['prob'\]"),
        (lambda steps, c: steps[1]["args"].update(p="0.5"), TypeError, r"transforms\[1\] \(RandomHorizontalFlip\): RandomHorizontalFlip: p"),
        (
            lambda steps, c: steps[3]["args"]["transforms"][0]["args"].update(kernel_size=4),
            ValueError,
            r"transforms\[3\]\.transforms\[0\] \(GaussianBlur\): ",
        ),
        (lambda steps, c: steps[0]["args"].update(size={"__class__": "x"}), ValueError, r"transforms\[0\]\.size: expected"),
        (lambda steps, c: steps.__setitem__(0, {"args": {}}), ValueError, r"transforms\[0\]: a transform entry is"),
    ],
    ids=["newer-schema", "unknown-name", "module-path", "base-class", "bad-argument", "unknown-argument", "string-p", "nested", "object", "no-type"],
)
def test_refused_configs_name_the_entry(change, error, message):
    with pytest.raises(error, match=message):
        ja.from_config(_edited(change))


def test_only_transforms_and_plain_data_are_written():
    with pytest.raises(TypeError, match="to_config: pipeline is a function"):
        ja.to_config(lambda key, x: x)
    with pytest.raises(TypeError, match="not a transform exported by jaxaug"):
        ja.to_config(ja.image)


def test_repr_reads_like_the_code_one_step_per_line_non_defaults_only():
    assert repr(presets.xray_train(hflip_p=0.25)) == (
        "Compose([\n"
        "    Resize(size=256),\n"
        "    RandomResizedCrop(size=(224, 224), scale=(0.8, 1.0)),\n"
        "    RandomHorizontalFlip(p=0.25),\n"
        "    RandomRotation(degrees=(-10.0, 10.0)),\n"
        "    ColorJitter(brightness=(0.9, 1.1), contrast=(0.9, 1.1)),\n"
        "    ToFloat(),\n"
        "    Normalize(mean=(0.5,), std=(0.5,)),\n"
        "])"
    )
    nested = ja.RandomApply([ja.RandomChoice([ja.RandomRot90(), ja.RandomVerticalFlip(p=1)])], p=0.3)
    assert repr(nested) == "RandomApply([\n    RandomChoice([\n        RandomRot90(),\n        RandomVerticalFlip(p=1.0),\n    ]),\n], p=0.3)"


def test_fingerprint_follows_every_argument_and_the_prng():
    base = presets.xray_train()
    fp = ja.fingerprint(base)
    assert len(fp) == 16 and int(fp, 16) >= 0
    assert ja.fingerprint(ja.to_config(base)) == fp
    assert ja.fingerprint(presets.xray_train(hflip_p=0.4)) != fp
    assert ja.fingerprint(dataclasses.replace(base, transforms=base.transforms[:-1])) != fp
    prng = jax.config.jax_default_prng_impl
    try:
        jax.config.update("jax_default_prng_impl", "rbg")
        assert ja.fingerprint(base) != fp
    finally:
        jax.config.update("jax_default_prng_impl", prng)
    assert ja.fingerprint(base) == fp


# --- reproducibility across processes (eager, jit and chunk_size: test_contract.py) ----------


def _sha256(x):
    return hashlib.sha256(np.asarray(x).tobytes()).hexdigest()


_OTHER_PROCESS = """
import hashlib, json, sys, jax, jax.numpy as jnp, numpy as np, jaxaug as ja
t = ja.load(sys.argv[1])
xs = jnp.asarray(np.random.default_rng(1).uniform(size=(3, 8, 10, 1)), jnp.float32)
out = jax.jit(ja.batch(t))(jax.random.key(0), xs)
print(json.dumps({"fingerprint": ja.fingerprint(t), "sha256": hashlib.sha256(np.asarray(out).tobytes()).hexdigest()}))
"""


def test_same_config_and_key_give_the_same_bits_and_fingerprint_in_another_process(tmp_path):
    # Geometry and colour with drawn parameters, small enough to compile quickly twice.
    t = ja.Compose([ja.RandomResizedCrop((6, 7)), ja.RandomHorizontalFlip(), ja.RandomRotation(15), ja.ColorJitter(0.3, 0.3)])
    ja.save(t, tmp_path / "pipeline.json")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "JAX_PLATFORMS": "cpu"}
    result = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, str(tmp_path / "pipeline.json")], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    other = json.loads(result.stdout.strip().splitlines()[-1])
    xs = jnp.asarray(np.random.default_rng(1).uniform(size=(3, 8, 10, 1)), jnp.float32)
    out = jax.jit(ja.batch(t))(jax.random.key(0), xs)
    assert other == {"fingerprint": ja.fingerprint(t), "sha256": _sha256(out)}
