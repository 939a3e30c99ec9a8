"""Issue #16: realistic bad input gets a clear error or the right result, never a third outcome.

Each reproduction from the issue is a test here; the hypothesis properties at the end are the
classes those reproductions belong to (integer probabilities, both key kinds, NaN locality,
weight 0/1 mixing, fills and bounds per dtype). Each test was checked by breaking what it
guards (see tests/README.md).
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import mix, presets, signal, tabular, train, tta

KEY = jax.random.key(0)


def _img(h=16, w=20, c=3, dtype=jnp.float32, seed=0):
    x = np.random.default_rng(seed).uniform(0, 1, (h, w, c))
    return jnp.asarray(np.round(x * 255).astype(np.uint8)) if dtype == jnp.uint8 else jnp.asarray(x, dtype)


# --- integer probabilities ------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda p: presets.xray_train(size=8, resize=10, hflip_p=p),
        lambda p: ja.RandomHorizontalFlip(p=p),
        lambda p: ja.RandomVerticalFlip(p=p),
        lambda p: ja.RandomGrayscale(p=p),
        lambda p: ja.RandomErasing(p=p),
        lambda p: ja.RandomApply([ja.RandomRotation(20)], p=p),
        lambda p: ja.RandomApply([ja.GaussianBlur(3)], p=p),
    ],
    ids=["xray_hflip_p", "hflip", "vflip", "grayscale", "erasing", "apply-geometric", "apply-pixel"],
)
@pytest.mark.parametrize("p", [0, 1])
def test_integer_probabilities_equal_the_float_ones(make, p):
    images = jnp.stack([_img(10, 12, seed=s) for s in range(4)])
    as_int = ja.batch(make(p))(KEY, images)
    as_float = ja.batch(make(float(p)))(KEY, images)
    np.testing.assert_array_equal(as_int, as_float)


def test_integer_probability_zero_is_the_identity_for_flips():
    image = _img()
    out = ja.batch(ja.RandomHorizontalFlip(p=0))(KEY, jnp.stack([image] * 6))
    np.testing.assert_array_equal(out, jnp.stack([image] * 6))
    flipped = ja.batch(ja.RandomHorizontalFlip(p=1))(KEY, jnp.stack([image] * 6))
    np.testing.assert_array_equal(flipped, jnp.stack([image[:, ::-1]] * 6))


def test_integer_probabilities_in_mixing_tabular_and_signals():
    x = jnp.asarray(np.random.default_rng(1).uniform(size=(4, 8, 8, 3)), jnp.float32)
    y = jnp.array([0, 1, 2, 3])
    x0, y0 = mix.mixup(KEY, x, y, num_classes=4, p=0)
    np.testing.assert_array_equal(x0, x)
    np.testing.assert_array_equal(y0, jax.nn.one_hot(y, 4))
    x1, _ = mix.Mixup(prob=0, num_classes=4, label_smoothing=0.0)(KEY, x, y)
    np.testing.assert_array_equal(x1, x)
    c0, _ = mix.cutmix(KEY, x, y, num_classes=4, p=0)
    np.testing.assert_array_equal(c0, x)
    out, missing = tabular.feature_dropout(KEY, jnp.arange(1.0, 6.0), dropout_prob=1, fill="nan", return_mask=True)
    assert bool(missing.all()) and bool(jnp.isnan(out).all())
    ecg = jnp.asarray(np.random.default_rng(2).normal(size=(500, 3)), jnp.float32)
    np.testing.assert_array_equal(signal.augment_ecg(KEY, ecg, p=0, fs=100.0), ecg)
    np.testing.assert_array_equal(signal.lead_dropout(KEY, ecg, p=0), ecg)


def test_bool_and_string_probabilities_are_refused():
    with pytest.raises(TypeError, match="p must be a probability"):
        ja.RandomHorizontalFlip(p=True)
    with pytest.raises(TypeError, match="p must be a probability"):
        ja.RandomErasing(p="0.5")
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\], got 2"):
        ja.RandomVerticalFlip(p=2)


# --- legacy and typed keys ------------------------------------------------------------------

IMAGES = jnp.asarray(np.random.default_rng(3).uniform(size=(2, 16, 16, 3)), jnp.float32)
ECG = jnp.asarray(np.random.default_rng(4).normal(size=(400, 3)), jnp.float32)
ROW = jnp.array([63.0, 1.1, 0.0])


def _tiny_model():
    return nnx.Sequential(lambda x: x.reshape(x.shape[0], -1), nnx.Linear(16 * 16 * 3, 3, rngs=nnx.Rngs(0)))


def _train_once(key):
    model = _tiny_model()
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    step = train.make_train_step(augment=ja.RandomRotation(10), mix=mix.Mixup(num_classes=3), num_classes=3)
    return step(model, optimizer, key, (IMAGES, jnp.array([0, 2])))["loss"]


KEYED = {
    "transform": lambda k: presets.imagenet_train(size=12)(k, IMAGES[0]),
    "batch": lambda k: ja.batch(ja.RandomRotation(30))(k, IMAGES),
    "batch-chunks": lambda k: ja.batch(ja.RandomRotation(30), chunk_size=1)(k, IMAGES),
    "mixup": lambda k: mix.mixup(k, IMAGES, jnp.array([0, 1]), num_classes=2),
    "cutmix": lambda k: mix.cutmix(k, IMAGES, jnp.array([0, 1]), num_classes=2, mode="elem"),
    "Mixup": lambda k: mix.Mixup(mixup_alpha=1.0, cutmix_alpha=1.0, num_classes=2)(k, IMAGES, jnp.array([0, 1])),
    "signal": lambda k: signal.augment_ecg(k, ECG, p=1.0, fs=100.0),
    "time_shift": lambda k: signal.time_shift(k, ECG, fs=100.0),
    "tabular": lambda k: tabular.augment(k, ROW, dropout_prob=0.5, fill="nan"),
    "tta-random-views": lambda k: tta.predict(
        lambda x: x.mean(axis=(1, 2)), IMAGES, key=k, pipeline=ja.RandomRotation(10), n=2
    ),
    "TTA": lambda k: tta.TTA(lambda x: x.mean(axis=(1, 2)), pipeline=ja.RandomHorizontalFlip(), n=2)(IMAGES, key=k),
    "train-step": _train_once,
    "fold_in_process": lambda k: jax.random.uniform(ja.fold_in_process(k)),
}


@pytest.mark.parametrize("name", sorted(KEYED))
def test_legacy_and_typed_keys_give_the_same_draws(name):
    fn = KEYED[name]
    legacy = fn(jax.random.PRNGKey(7))
    typed = fn(jax.random.key(7))
    jax.tree_util.tree_map(np.testing.assert_array_equal, legacy, typed)


# --- one meaning of fill --------------------------------------------------------------------


def _corner(transform, image):
    return np.asarray(transform(KEY, image))[0, 0]


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_fill_is_in_the_input_units_for_every_interpolation_alone_or_fused(interpolation):
    gray = jnp.full((16, 16, 3), 100, jnp.uint8)
    fill = (255, 0, 51)
    white_ish = np.array([1.0, 0.0, 0.2], np.float32)
    rotation = ja.RandomRotation((45, 45), interpolation=interpolation, fill=fill)
    np.testing.assert_allclose(_corner(rotation, gray), white_ish, atol=1e-6)
    fused = ja.Compose([ja.RandomCrop(14), rotation])
    np.testing.assert_allclose(_corner(fused, gray), white_ish, atol=1e-6)
    fused_with_bilinear = ja.Compose([ja.RandomResizedCrop(14, scale=(0.9, 1.0)), rotation])
    np.testing.assert_allclose(_corner(fused_with_bilinear, gray), white_ish, atol=1e-6)
    # The same fill for a float image is a float value.
    float_rotation = ja.RandomRotation((45, 45), interpolation=interpolation, fill=(1.0, 0.0, 0.2))
    np.testing.assert_allclose(_corner(float_rotation, gray.astype(jnp.float32) / 255), white_ish, atol=1e-6)


def test_fill_in_crops_and_padding_is_in_the_input_units():
    image = jnp.full((8, 8, 1), 10, jnp.uint8)
    out = ja.CenterCrop(12, fill=255)(KEY, image)
    assert float(out[0, 0, 0]) == 1.0 and float(out[6, 6, 0]) == pytest.approx(10 / 255)
    padded = ja.RandomCrop(8, padding=4, fill=255)
    outs = jax.vmap(lambda k: padded(k, image))(jax.random.split(KEY, 32))
    assert set(np.unique(np.round(np.asarray(outs) * 255)).tolist()) <= {10.0, 255.0}
    assert float(outs.max()) == 1.0


def test_fills_a_dtype_cannot_hold_are_refused():
    image = jnp.zeros((8, 8, 1), jnp.uint8)
    with pytest.raises(ValueError, match=r"fill must be a whole number in \[0, 255\] for uint8"):
        ja.RandomRotation(10, fill=300)(KEY, image)
    with pytest.raises(ValueError, match="fill must be a whole number"):
        ja.RandomRotation(10, fill=-1)(KEY, image)
    with pytest.raises(ValueError, match="fill must be a whole number"):
        ja.CenterCrop(12, fill=0.5)(KEY, image)
    with pytest.raises(ValueError, match="mask_fill must be a whole number"):
        ja.RandomRotation(10, mask_fill=-1)(KEY, image, jnp.zeros((8, 8), jnp.uint8))
    with pytest.raises(ValueError, match="fill must be a finite number"):
        ja.RandomRotation(10, fill=float("nan"))
    with pytest.raises(ValueError, match="does not fit in float16"):
        ja.RandomRotation(10, fill=1e6)(KEY, image.astype(jnp.float16))


# --- float images outside [0, 1] ------------------------------------------------------------

CT_HU = jnp.asarray(np.random.default_rng(5).uniform(-1000, 1500, (64, 64, 1)), jnp.float32)


def test_physical_units_through_colour_ops_are_refused_eagerly():
    preset = presets.xray_train(size=32, resize=40)
    with pytest.raises(ValueError, match=r"ColorJitter: float image values must lie in \[0, 1\].*window"):
        preset(KEY, CT_HU)
    with pytest.raises(ValueError, match=r"Compose: float image values must lie in \[0, 1\]"):
        ja.batch(preset)(KEY, CT_HU[None])
    with pytest.raises(ValueError, match="adjust_brightness: float image values"):
        ja.image.adjust_brightness(CT_HU, 1.1)
    with pytest.raises(ValueError, match="adjust_contrast: float image values"):
        ja.image.adjust_contrast(CT_HU, 1.1)


def test_physical_units_are_caught_inside_jit_in_checked_mode():
    augment = ja.batch(ja.Compose([ja.RandomRotation(10), ja.ColorJitter(0.1, 0.1)]))
    # Unchecked, jit cannot see the values (documented); checked, it raises.
    jax.jit(augment)(KEY, CT_HU[None])
    with pytest.raises(ValueError, match=r"float image values must lie in \[0, 1\]"):
        ja.checked(augment)(KEY, CT_HU[None])
    windowed = ja.image.window(CT_HU, center=40.0, width=400.0)
    out = ja.checked(augment)(KEY, windowed[None])
    assert out.shape == (1, 64, 64, 1) and bool(jnp.isfinite(out).all())


def test_interpolation_overshoot_and_geometry_on_other_units_are_allowed():
    slightly_over = jnp.full((8, 8, 3), 1.0005, jnp.float32)
    ja.ColorJitter(brightness=0.1)(KEY, slightly_over)
    normalised = ja.Normalize([0.5] * 3, [0.1] * 3)(KEY, _img())
    out = ja.Compose([ja.RandomRotation(20), ja.RandomResizedCrop(8)])(KEY, normalised)
    assert float(out.min()) < -1.0  # geometry does not clamp


def test_window_and_scale_intensity_range_values():
    hu = jnp.array([-1000, -160, 40, 240, 3000], jnp.int16)
    np.testing.assert_allclose(ja.image.window(hu, 40.0, 400.0), [0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(ja.image.window(hu, -600.0, 1500.0)[:2], [(-1000 + 1350) / 1500, (-160 + 1350) / 1500])
    unclipped = ja.image.scale_intensity_range(hu, -1000.0, 1000.0, -1.0, 1.0)
    np.testing.assert_allclose(unclipped, [-1.0, -0.16, 0.04, 0.24, 3.0], rtol=1e-6, atol=1e-6)
    transform = ja.ScaleIntensityRange(a_min=-160, a_max=240, clip=True)
    out = transform(KEY, hu.reshape(1, 5, 1))
    np.testing.assert_allclose(out[0, :, 0], [0.0, 0.0, 0.5, 1.0, 1.0])
    with pytest.raises(ValueError, match="a_min must be < a_max"):
        ja.ScaleIntensityRange(a_min=10, a_max=10)
    with pytest.raises(ValueError, match="width must be > 0"):
        ja.image.window(hu, 0.0, 0.0)
    with pytest.raises(TypeError, match="int16 CT in Hounsfield units"):
        ja.RandomRotation(10)(KEY, hu.reshape(1, 5, 1))


def test_a_pipeline_can_start_from_int16_hounsfield_units():
    ct = jnp.asarray(np.random.default_rng(6).integers(-1000, 1500, (40, 40, 1)), jnp.int16)
    pipeline = ja.Compose([ja.ScaleIntensityRange(-160, 240, clip=True), ja.RandomRotation(10), ja.ColorJitter(0.1, 0.1)])
    out = ja.batch(pipeline)(KEY, ct[None])
    assert out.dtype == jnp.float32 and 0.0 <= float(out.min()) and float(out.max()) <= 1.0


# --- transposed layouts ---------------------------------------------------------------------


def test_a_transposed_twelve_lead_ecg_is_refused():
    transposed = jnp.ones((12, 1000))
    for fn in (
        lambda: signal.time_shift(KEY, transposed, fs=100.0),
        lambda: signal.lead_dropout(KEY, transposed, p=0.5),
        lambda: signal.gaussian_noise(KEY, transposed),
        lambda: signal.augment_ecg(KEY, transposed, fs=100.0),
    ):
        with pytest.raises(ValueError, match="looks like \\(C, T\\): pass time_axis=-1"):
            fn()
    # Said explicitly, both layouts work and mean the same.
    ecg = jnp.asarray(np.random.default_rng(7).normal(size=(1000, 12)), jnp.float32)
    as_tc = signal.time_shift(KEY, ecg, fs=100.0)
    as_ct = signal.time_shift(KEY, ecg.T, fs=100.0, time_axis=-1)
    np.testing.assert_array_equal(as_ct, as_tc.T)
    short = jnp.ones((5, 12))
    assert signal.lead_dropout(KEY, short, p=0.5, time_axis=0).shape == (5, 12)


def test_cutmix_refuses_transposed_signals_and_pastes_along_time_when_told():
    x = jnp.arange(4.0)[:, None, None] * jnp.ones((4, 12, 200))  # (N, C, T), example i holds i
    with pytest.raises(ValueError, match="look like \\(N, C, T\\): pass time_axis=-1"):
        mix.cutmix(KEY, x, jnp.arange(4), num_classes=4)
    out, y = mix.cutmix(KEY, x, jnp.arange(4), num_classes=4, mode="elem", time_axis=-1)
    # A window along time: every lead at one instant comes from the same example.
    assert bool((out == out[:, :1, :]).all())
    np.testing.assert_allclose(out.mean(axis=(1, 2)), y @ jnp.arange(4.0), rtol=1e-6)


def test_channels_first_images_are_named():
    with pytest.raises(ValueError, match="looks channels-first.*moveaxis"):
        ja.RandomCrop(24)(KEY, jnp.zeros((3, 32, 32)))


# --- no mixing reads nothing ----------------------------------------------------------------


def test_mixing_with_weight_one_reads_nothing_from_a_nan_partner():
    x = jnp.ones((4, 8, 8, 3)).at[1].set(jnp.nan)
    y = jnp.arange(4)
    for out, _ in (
        mix.mixup(KEY, x, y, alpha=0.0, num_classes=4),
        mix.mixup(KEY, x, y, num_classes=4, p=0.0),
        mix.cutmix(KEY, x, y, alpha=0.0, num_classes=4),
        mix.Mixup(mixup_alpha=0.0, cutmix_alpha=0.0, num_classes=4)(KEY, x, y),
    ):
        np.testing.assert_array_equal(jnp.isnan(out).any(axis=(1, 2, 3)), [False, True, False, False])


# --- bounds and missingness -----------------------------------------------------------------


def test_a_dropout_fill_outside_the_bounds_is_refused():
    X = jnp.array([[63.0, 1.1, 0.0], [48.0, 0.9, 1.0]])
    lower = [0.0, 0.5, 0.0]
    with pytest.raises(ValueError, match=r"fill \[0.0\] lies outside the bounds of features \[1\]"):
        ja.batch(lambda k, x: tabular.augment(k, x, dropout_prob=0.2, lower=lower, frozen=[2]))(KEY, X)
    means = X.mean(axis=0)
    out, missing = ja.batch(
        lambda k, x: tabular.augment(k, x, dropout_prob=0.5, lower=lower, fill=means, return_mask=True)
    )(KEY, jnp.tile(X, (50, 1)))
    assert bool(missing.any())
    assert bool((out >= jnp.asarray(lower)[None]).all())
    # NaN fills are missingness by choice; frozen features are never dropped, so never checked.
    tabular.feature_dropout(KEY, X[0], fill="nan", lower=lower)
    tabular.feature_dropout(KEY, X[0], fill="zero", lower=lower, frozen=[1])


def test_a_bad_per_feature_scale_is_refused():
    for scale in ([1.0, float("nan"), 1.0], [1.0, -0.1, 1.0], [1.0, float("inf"), 1.0]):
        with pytest.raises(ValueError, match="scale must be finite and >= 0 for every feature"):
            tabular.feature_noise(KEY, ROW, scale=scale)


# --- accepted, then wrong -------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: ja.ColorJitter(contrast=(-1.0, -1.0)), "contrast must be >= 0"),
        (lambda: ja.ColorJitter(brightness=float("nan")), "brightness must be a finite number"),
        (lambda: ja.ColorJitter(saturation=float("inf")), "saturation must be a finite number"),
        (lambda: ja.ColorJitter(hue=(0.0, float("nan"))), "hue must be a finite number"),
        (lambda: mix.mixup(KEY, IMAGES, jnp.array([0, 1]), alpha=float("inf"), num_classes=2), "alpha must be a finite"),
        (lambda: mix.Mixup(cutmix_alpha=float("nan")), "cutmix_alpha must be a finite"),
        (lambda: signal.amplitude_scale(KEY, ECG, scale=(-1.2, -0.8)), "negative gain flips the polarity"),
        (lambda: signal.gaussian_noise(KEY, ECG, std=float("nan")), "std must be a finite number"),
        (lambda: ja.RandomRotation(float("inf")), "degrees must be a finite number"),
        (lambda: ja.RandomRotation((0, float("inf"))), "degrees must be a finite number"),
        (lambda: ja.RandomResizedCrop(8, scale=(0.5, float("nan"))), "scale must be a finite number"),
        (lambda: ja.GaussianBlur(3, sigma=float("inf")), "sigma must be > 0"),
        (lambda: ja.image.adjust_brightness(_img(), float("inf")), "finite scalar >= 0"),
        (lambda: signal.time_shift(KEY, ECG, fs=float("inf")), "fs"),
        # These returned the fill everywhere: a NaN angle, matrix or corner reads nothing.
        (lambda: ja.image.rotate(_img(), float("nan")), "rotate: angle and center must be finite"),
        (lambda: ja.image.rotate(_img(), float("inf")), "rotate: angle and center must be finite"),
        (lambda: ja.image.rotate(_img(), 10.0, center=(2.0, float("nan"))), "rotate: angle and center must be finite"),
        (lambda: ja.image.warp_affine(_img(), jnp.full((3, 3), jnp.nan), (4, 4)), "warp_affine: matrix must be finite"),
        (lambda: ja.image.crop(_img(), float("nan"), 0, 2, 2), "crop: top and left must be finite"),
        (lambda: ja.RandomRotation(10, center=(1.0, float("nan"))), "RandomRotation: center must be a finite number"),
        (lambda: ja.RandomRotation(10, center=(1.0, 2.0, 3.0)), "RandomRotation: center must be None or an \\(x, y\\) pair"),
        # Found by an audit of the functional layer: each returned a wrong answer, silently.
        (lambda: ja.image.normalize(_img(), float("nan"), 0.2), "normalize: mean must be finite"),  # all NaN
        (lambda: ja.image.normalize(_img(), 0.5, float("inf")), "normalize: std must be finite"),  # all 0
        (lambda: ja.image.erase(_img(), float("nan"), 0, 5, 5), "erase: top, left, height and width must be finite"),  # unchanged
        (lambda: ja.image.erase(_img(), 1, 0, -5, 5), "height and width >= 0"),  # unchanged
        (lambda: ja.image.resized_crop(_img(), 2, 3, 0, 8, 12), "must be non-empty and inside"),  # one row, stretched
        (lambda: ja.image.resized_crop(_img(), 10, 3, -5, 8, 12), "must be non-empty and inside"),  # flipped
        (lambda: ja.image.resized_crop(_img(), 100, 0, 5, 8, 12), "pad first"),  # edge copies, not torchvision's zeros
        (lambda: ja.image.warp_affine(_img(), [[1, 0, 0], [0, 1, 0], [0.05, 0.02, 1]], (16, 20)), "last row \\[0, 0, 1\\]"),  # identity
        (lambda: ja.image.adjust_brightness(_img(), True), "brightness_factor must be a finite scalar"),  # True == 1: identity
        (lambda: ja.volume.elastic(_vol(), jnp.zeros((6, 5, 4, 3)), sigma=2.0, magnitude=float("nan")), "magnitude must be finite"),
        (lambda: ja.volume.elastic(_vol(), jnp.zeros((6, 5, 4, 3)), sigma=2.0, magnitude=1.0, max_sigma=0.1), "exceeds max_sigma"),
        (lambda: ja.volume.gaussian_smooth(_vol(), 2.0, max_sigma=0.1), "sigma 2.0 exceeds max_sigma 0.1"),  # a cut-off kernel
        (lambda: ja.volume.RandCoarseDropout(holes=1, spatial_size=4, max_spatial_size=2), "max_spatial_size must be >= spatial_size"),
        (lambda: tabular.feature_dropout(KEY, jnp.ones(5), dropout_prob=jnp.full(5, jnp.nan)), "dropout_prob must be probabilities"),
        (lambda: tabular.feature_dropout(KEY, jnp.ones(5), dropout_prob=jnp.array([0, 2.0, 0, 0, 0])), "dropout_prob must be probabilities"),
        (lambda: signal.gaussian_noise(KEY, ECG, time_axis=True), "time_axis must be 0 or -1"),  # True == 1: (C, T)
        (lambda: tta.View("shift", (float("nan"), 0.0)), "amount must be a finite number"),  # an all-fill view, merged
        (lambda: mix.mix_loss(lambda p, y: jnp.ones(2), jnp.zeros((2, 3)), jnp.zeros(2), jnp.zeros(2), 2.0), "lam must lie in \\[0, 1\\]"),
    ],
)
def test_non_finite_and_out_of_domain_arguments_are_refused(build, match):
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: ja.image.normalize(_img(), True, 0.2), "normalize: mean must be numbers"),
        (lambda: signal.lead_dropout(KEY, ECG, p=jnp.full((12,), jnp.nan)), "p must be a probability in \\[0, 1\\] \\(one number\\)"),
        (lambda: ja.RandomHorizontalFlip(p=jnp.array([0.5, 0.5])), "p must be a probability in \\[0, 1\\] \\(one number\\)"),
        # True == 1: each returned its input unchanged, or a fill of 1, silently.
        (lambda: ja.volume.zoom(_vol(), True), "zoom: zoom must be numbers"),
        (lambda: ja.volume.affine(_vol(), rotate=True), "affine: rotate must be numbers"),
        (lambda: ja.volume.shift_intensity(_vol(), True), "shift_intensity: offset must be numbers"),
        (lambda: ja.volume.spatial_pad(_vol(), 8, value=True), "spatial_pad: value must be numbers"),
        (lambda: signal.stretch(ECG, True), "stretch: factor must be numbers"),
        (lambda: signal.powerline_interference(KEY, ECG, fs=500.0, freq=True), "freq must be numbers"),
        (lambda: signal.baseline_wander(KEY, ECG, fs=500.0, max_freq=True), "max_freq must be numbers"),
        (lambda: ja.image.pad(_img(), 1, True), "pad: fill must be numbers"),
    ],
)
def test_misplaced_flags_and_vectors_where_one_number_is_meant_are_refused(build, match):
    with pytest.raises(TypeError, match=match):
        build()


def test_a_concrete_per_feature_probability_is_checked_and_a_traced_one_passes():
    ok = tabular.feature_dropout(KEY, jnp.ones(5), dropout_prob=jnp.array([0.0, 1.0, 0.0, 0.0, 0.0]))
    np.testing.assert_array_equal(np.asarray(ok), [1, 0, 1, 1, 1])
    traced = jax.jit(lambda p: signal.lead_dropout(KEY, ECG, p=p))(0.3)
    assert traced.shape == ECG.shape


def _vol():
    return jnp.asarray(np.random.default_rng(1).uniform(0, 1, (6, 5, 4, 1)), jnp.float32)


# --- labels ---------------------------------------------------------------------------------


def test_labels_outside_the_classes_are_refused_eagerly_and_in_checked_mode():
    x = jnp.zeros((4, 8, 8, 1))
    for bad in (jnp.array([0, 1, 2, 3]), jnp.array([0, -1, 1, 2])):
        with pytest.raises(ValueError, match=r"class ids in \[0, num_classes=3\)"):
            mix.mixup(KEY, x, bad, num_classes=3)
        with pytest.raises(ValueError, match=r"class ids in \[0, num_classes=3\)"):
            mix.cutmix(KEY, x, bad, num_classes=3)
        with pytest.raises(ValueError, match=r"class ids in \[0, num_classes=3\)"):
            ja.checked(functools.partial(mix.soft_labels, num_classes=3))(bad)
    ja.checked(functools.partial(mix.soft_labels, num_classes=3))(jnp.array([0, 2]))


# --- NaN stays local ------------------------------------------------------------------------


def _nan_spread(op, image, at=(7, 9)):
    bad = image.at[at].set(jnp.nan)
    return np.argwhere(np.isnan(np.asarray(op(bad))).any(axis=-1))


@pytest.mark.parametrize(
    "name, op, radius",
    [
        ("resize-down", lambda x: ja.image.resize(x, (8, 10)), 2),
        ("resize-up", lambda x: ja.image.resize(x, (32, 40)), 4),
        ("resize-no-antialias", lambda x: ja.image.resize(x, (8, 10), antialias=False), 2),
        ("crop", lambda x: ja.image.crop(x, 2, 3, 10, 10), 1),
        ("blur", lambda x: ja.image.gaussian_blur(x, 5, 1.0), 3),
        ("rotate", lambda x: ja.image.rotate(x, 30.0, "bilinear"), 2),
        ("resized-crop", lambda x: ja.image.resized_crop(x, 1, 2, 12, 14, (20, 20)), 3),
        ("brightness", lambda x: ja.image.adjust_brightness(x, 1.2), 0),
        ("hue", lambda x: ja.image.adjust_hue(x, 0.1), 0),
    ],
)
def test_one_nan_pixel_stays_within_the_footprint(name, op, radius):
    image = _img()
    where = _nan_spread(op, image)
    assert 1 <= len(where), f"{name}: the NaN vanished"
    # Footprint in output pixels around the mapped position of (7, 9).
    out_shape = np.asarray(op(image)).shape
    centre = np.array([(7 + 0.5) * out_shape[0] / 16 - 0.5, (9 + 0.5) * out_shape[1] / 20 - 0.5])
    if name in ("crop",):
        centre = np.array([5, 6])
    if name == "resized-crop":
        centre = np.array([(7 - 1 + 0.5) * 20 / 12 - 0.5, (9 - 2 + 0.5) * 20 / 14 - 0.5])
    if name == "rotate":
        centre = None
    if centre is not None:
        assert np.abs(where - centre).max() <= radius + 0.5, f"{name}: NaN spread to {where.tolist()}"
    else:
        assert len(where) <= 4


def test_one_bad_sample_does_not_poison_its_lead():
    ecg = jnp.asarray(np.random.default_rng(8).normal(size=(500, 3)), jnp.float32).at[100, 1].set(jnp.nan)
    for out in (
        signal.gaussian_noise(KEY, ecg, std=0.1),
        signal.baseline_wander(KEY, ecg, fs=100.0),
        signal.powerline_interference(KEY, ecg, fs=200.0),
        signal.augment_ecg(KEY, ecg, p=1.0, fs=100.0),
    ):
        assert int(jnp.isnan(out).sum()) <= 2  # the sample itself (and its interpolation neighbour)
    noisy = signal.gaussian_noise(KEY, ecg.at[100, 1].set(jnp.inf), std=0.1)
    assert int((~jnp.isfinite(noisy)).sum()) == 1


# --- several heads in TTA -------------------------------------------------------------------


def test_tta_merges_several_heads_head_by_head():
    def two_heads(x):
        return {"class": x.mean(axis=(1, 2)), "map": (x[..., :1] * 2.0,)}

    merged, spread = tta.predict(two_heads, IMAGES, ["hflip", "vflip"], return_std=True)
    alone = tta.predict(lambda x: two_heads(x)["class"], IMAGES, ["hflip", "vflip"])
    np.testing.assert_allclose(merged["class"], alone, rtol=1e-6)
    dense = tta.predict(lambda x: two_heads(x)["map"][0], IMAGES, ["hflip", "vflip"], invert=True)
    merged_dense = tta.predict(two_heads, IMAGES, ["hflip", "vflip"], invert=True)
    np.testing.assert_allclose(merged_dense["map"][0], dense, rtol=1e-6)
    np.testing.assert_allclose(merged_dense["map"][0], IMAGES[..., :1] * 2.0, rtol=1e-5, atol=1e-6)
    assert spread["class"].shape == alone.shape
    wrapped = tta.TTA(two_heads, views=["hflip"])(IMAGES)
    assert set(wrapped) == {"class", "map"}


# --- what a newcomer meets ------------------------------------------------------------------


def test_train_step_accepts_a_batched_pipeline_and_refuses_a_split_batch():
    images, labels = IMAGES, jnp.array([0, 2])

    def loss_after_one_step(augment):
        model = _tiny_model()
        optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
        step = train.make_train_step(augment=augment, num_classes=3)
        return step(model, optimizer, jax.random.key(1), (images, labels))["loss"]

    pipeline = ja.RandomRotation((10, 30))
    np.testing.assert_array_equal(loss_after_one_step(ja.batch(pipeline)), loss_after_one_step(pipeline))
    model = _tiny_model()
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    step = train.make_train_step(num_classes=3)
    with pytest.raises(TypeError, match=r"pass the batch as one \(inputs, labels\) pair"):
        step(model, optimizer, KEY, images, labels)
    with pytest.raises(TypeError, match=r"pass the batch as one \(inputs, labels\) pair"):
        train.make_eval_step(num_classes=3)(model, images, labels)


def test_tta_string_views_name_the_view_functions():
    with pytest.raises(ValueError, match=r"tta.shift\(dy, dx\), tta.zoom\(factor\)"):
        tta.predict(lambda x: x.mean(axis=(1, 2)), IMAGES, ["shift"])


# --- the classes, as properties -------------------------------------------------------------


@given(p=st.sampled_from([0, 1, 0.0, 1.0, 0.25]), seed=st.integers(0, 2**31 - 1))
def test_property_integer_and_float_probabilities_alike(p, seed):
    key = jax.random.key(seed)
    image = _img(8, 8)
    for make in (ja.RandomHorizontalFlip, ja.RandomGrayscale, ja.RandomErasing):
        np.testing.assert_array_equal(make(p=p)(key, image), make(p=float(p))(key, image))


@given(seed=st.integers(0, 2**31 - 1))
def test_property_legacy_and_typed_keys_alike(seed):
    for fn in (KEYED["batch"], KEYED["Mixup"], KEYED["signal"], KEYED["tabular"]):
        jax.tree_util.tree_map(
            np.testing.assert_array_equal, fn(jax.random.PRNGKey(seed)), fn(jax.random.key(seed))
        )


@given(row=st.integers(0, 15), col=st.integers(0, 15), seed=st.integers(0, 1000))
def test_property_a_nan_pixel_stays_local_through_a_random_geometric_pipeline(row, col, seed):
    pipeline = ja.Compose([ja.RandomResizedCrop(16, scale=(0.5, 1.0)), ja.RandomRotation(20)])
    image = _img(16, 16).at[row, col].set(jnp.nan)
    out = pipeline(jax.random.key(seed), image)
    # One bilinear resample: an output pixel reads the pixel when its sample lies within one
    # pixel of it; at most 1 / 0.61 samples per pixel along an axis (scale 0.5, ratio 4/3).
    assert int(jnp.isnan(out).any(axis=-1).sum()) <= 16


def test_a_nan_border_pixel_does_not_leak_into_the_fill():
    clean = _img(16, 16)
    rotation = ja.RandomRotation((45, 45), interpolation="bilinear", fill=0.25)
    out = np.asarray(rotation(KEY, clean.at[0, 8].set(jnp.nan)))
    bad = np.isnan(out).any(axis=-1)
    assert 1 <= bad.sum() <= 4
    np.testing.assert_array_equal(out[~bad], np.asarray(rotation(KEY, clean))[~bad])


@given(alpha=st.sampled_from([0.0, 0.2, 1.0]), nan_at=st.integers(0, 3), seed=st.integers(0, 1000))
def test_property_weight_zero_or_one_reads_nothing_from_the_partner(alpha, nan_at, seed):
    x = jnp.asarray(np.random.default_rng(seed).uniform(size=(4, 6, 6, 1)), jnp.float32).at[nan_at].set(jnp.nan)
    out, perm, lam = mix.mixup_pairs(jax.random.key(seed), x, alpha, mode="elem")
    nan_rows = np.asarray(jnp.isnan(out).any(axis=(1, 2, 3)))
    expected = np.array([i == nan_at or (int(perm[i]) == nan_at and float(lam[i]) < 1.0) for i in range(4)])
    np.testing.assert_array_equal(nan_rows, expected)


@given(
    fill=st.integers(0, 255),
    dtype=st.sampled_from(["uint8", "float32", "float16"]),
    interpolation=st.sampled_from(["nearest", "bilinear"]),
)
def test_property_every_fill_is_kept_for_every_dtype(fill, dtype, interpolation):
    value = fill if dtype == "uint8" else fill / 255.0
    image = jnp.zeros((8, 8, 1), jnp.dtype(dtype))
    out = ja.RandomRotation((45, 45), interpolation=interpolation, fill=value)(KEY, image)
    assert float(out[0, 0, 0]) == pytest.approx(fill / 255.0, abs=1e-3 if dtype == "float16" else 1e-6)


@given(lower=st.floats(-5, 5), width=st.floats(0.1, 5), seed=st.integers(0, 1000))
def test_property_every_bound_is_kept(lower, width, seed):
    upper = lower + width
    x = jnp.full((6,), lower + width / 2, jnp.float32)
    out = tabular.augment(
        jax.random.key(seed), x, noise_std=3.0, dropout_prob=0.5, lower=lower, upper=upper, fill=lower + width / 3
    )
    assert bool(((out >= lower) & (out <= upper)).all())


# --- a second hostile trial (new cases of the same classes) ---------------------------------


def test_a_fused_group_fills_each_region_with_its_own_steps_fill():
    image = jnp.full((16, 16, 1), 100, jnp.uint8)
    rotation, crop = ja.RandomRotation((45, 45), fill=255), ja.CenterCrop(20, fill=0)
    np.testing.assert_array_equal(ja.Compose([rotation, crop])(KEY, image), crop(KEY, rotation(KEY, image)))
    choice = ja.RandomChoice([ja.RandomRotation((45, 45), fill=255), ja.RandomRotation((45, 45), fill=0)], p=[1, 0])
    assert float(choice(KEY, image)[0, 0, 0]) == 1.0


def test_an_enlarging_step_fused_with_a_filling_step_keeps_the_border():
    flat = jnp.full((8, 8, 1), 0.5)
    np.testing.assert_allclose(ja.Compose([ja.Resize(16), ja.CenterCrop(16)])(KEY, flat), 0.5, rtol=1e-6)
    pipeline = ja.Compose([ja.RandomResizedCrop(40, scale=(1, 1), ratio=(1, 1)), ja.RandomRotation(0)])
    np.testing.assert_allclose(pipeline(KEY, jnp.full((20, 20, 1), 0.5)), 0.5, rtol=1e-6)
    # Fused equals sequential for a smooth image, border band included.
    yy, xx = np.mgrid[0:10, 0:10]
    ramp = jnp.asarray((0.3 + 0.04 * xx + 0.02 * yy)[..., None], jnp.float32)
    rotation = ja.RandomRotation((30, 30), interpolation="bilinear", fill=0.2)
    fused = ja.Compose([ja.Resize(20), rotation])(KEY, ramp)
    np.testing.assert_allclose(fused, rotation(KEY, ja.Resize(20)(KEY, ramp)), atol=6e-3)


def test_checked_keeps_its_checks_for_an_already_jitted_function_and_leaves_it_working():
    augment = jax.jit(ja.batch(ja.ColorJitter(0.2)))
    good, bad = jnp.full((2, 8, 8, 3), 0.5), jnp.full((2, 8, 8, 3), 400.0)
    augment(KEY, good)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ja.checked(augment)(KEY, bad)
    augment(KEY, good)


def test_train_steps_refuse_labels_outside_the_classes():
    model = _tiny_model()
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    step = train.make_train_step(mix=mix.Mixup(num_classes=3), num_classes=3)
    for bad in (jnp.array([0, 5]), jnp.array([-1, 0])):
        with pytest.raises(ValueError, match=r"class ids in \[0, num_classes=3\)"):
            step(model, optimizer, KEY, (IMAGES, bad))
        with pytest.raises(ValueError, match=r"class ids in \[0, num_classes=3\)"):
            train.make_eval_step(num_classes=3, views=["hflip"])(model, (IMAGES, bad))


def test_sharpen_merge_sums_to_one_at_low_temperature():
    probs = jax.nn.softmax(jnp.linspace(0.0, 1.0, 100))
    model = lambda x: jnp.broadcast_to(probs, (x.shape[0], 100))  # noqa: E731
    merged = tta.predict(model, jnp.ones((1, 4, 4, 1)), merge="sharpen", temperature=0.1)
    np.testing.assert_allclose(merged.sum(), 1.0, rtol=1e-5)
    assert int(jnp.argmax(merged)) == 99


def test_a_colour_step_after_a_step_that_leaves_unit_range_is_refused_when_built():
    with pytest.raises(ValueError, match="ColorJitter clamps to \\[0, 1\\] but comes after Normalize"):
        ja.Compose([ja.Normalize([0.5], [0.1]), ja.ColorJitter(brightness=0.2)])
    with pytest.raises(ValueError, match="after ScaleIntensityRange without clip=True"):
        ja.Compose([ja.ScaleIntensityRange(-160, 240), ja.RandomApply([ja.ColorJitter(contrast=0.2)])])
    with pytest.raises(ValueError, match=r"predict: float image values must lie in \[0, 1\]"):
        tta.predict(lambda z: z.mean((1, 2, 3)), jnp.full((1, 8, 8, 1), 400.0), [], n=2, key=KEY, pipeline=ja.ColorJitter(0.1))


def test_channels_first_and_integer_batches_are_refused_by_mixing_and_tta():
    chw = jnp.zeros((4, 3, 32, 32))
    with pytest.raises(ValueError, match="looks channels-first"):
        mix.cutmix(KEY, chw, jnp.array([0, 1, 0, 1]), num_classes=2)
    with pytest.raises(ValueError, match="looks channels-first"):
        tta.predict(lambda z: z.mean((1, 2)), chw, ["hflip"])
    with pytest.raises(TypeError, match="uint8 .* or floating"):
        tta.predict(lambda z: z.mean((1, 2)), jnp.zeros((2, 8, 8, 1), jnp.int32), ["hflip"])


def test_a_map_head_without_channels_is_inverted_too():
    x = jnp.zeros((1, 4, 4, 1)).at[0, :, 0, 0].set(1.0)
    out = tta.predict(lambda z: {"seg": z, "edge": z[..., 0]}, x, ["hflip"], invert=True)
    np.testing.assert_array_equal(out["edge"], x[..., 0])


def test_one_column_integer_labels_are_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"pass y.ravel\(\)"):
        mix.soft_labels(jnp.array([[0], [2]]), num_classes=3)


def test_random_grayscale_refuses_channels_it_cannot_convert():
    with pytest.raises(ValueError, match="1 \\(gray\\) or 3 \\(RGB\\) channels, got 4"):
        ja.RandomGrayscale(p=1)(KEY, jnp.zeros((8, 8, 4)))


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: ja.Normalize([float("nan")], [1.0]), "mean must be finite"),
        (lambda: ja.Normalize([0.5], [float("inf")]), "std must be finite"),
        (lambda: ja.RandomErasing(value=float("nan")), "value must be a finite number"),
        (lambda: ja.RandomChoice([ja.RandomHorizontalFlip()] * 2, p=[float("nan"), 1]), "p must have one weight"),
        (lambda: tta.shift(float("nan"), 0), "dy must be a finite number"),
        (lambda: tta.zoom(float("inf")), "factor must be a finite number"),
        (lambda: tta.TTA(lambda z: z, temperature=-1.0), "temperature must be > 0"),
        (lambda: tta.TTA(lambda z: z, activation="relu"), "activation must be"),
        (lambda: signal.stretch(ECG, float("inf")), "factor must be > 0"),
        (lambda: tabular.feature_noise(KEY, ROW, lower=[float("nan"), 0.0, 0.0]), "lower must not be NaN"),
        (lambda: ja.RandomRotation(10, mask_fill=255)(KEY, IMAGES[0], jnp.zeros((16, 16), bool)), "0 or 1"),
    ],
)
def test_more_out_of_domain_arguments_are_refused(build, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build()


def test_numpy_scalars_and_arrays_are_numbers():
    assert ja.ColorJitter(brightness=np.float32(0.25)).brightness == (0.75, 1.25)
    assert ja.RandomRotation(np.int64(10)).degrees == (-10.0, 10.0)
    assert ja.RandomResizedCrop(8, scale=np.array([0.5, 1.0])).scale == (0.5, 1.0)
    assert ja.RandomCrop(16, padding=np.int64(2)).padding == (2, 2, 2, 2)
    assert signal.time_shift(KEY, ECG, fs=np.float32(100.0)).shape == ECG.shape
    assert mix.mixup(KEY, IMAGES, jnp.array([0, 1]), num_classes=np.int64(2))[1].shape == (2, 2)
    np.testing.assert_allclose(tabular.fit_scale(jnp.array([[1.0], [3.0], [jnp.inf]])), [1.0])


def test_bounds_hold_in_half_precision():
    keys = jax.random.split(KEY, 200)
    high = jax.vmap(lambda k: tabular.feature_noise(k, jnp.array([54.0], jnp.bfloat16), noise_std=5.0, upper=54.2))(keys)
    assert float(high.astype(jnp.float32).max()) <= 54.2
    low = jax.vmap(lambda k: tabular.feature_noise(k, jnp.array([0.2], jnp.float16), noise_std=5.0, lower=0.1))(keys)
    assert float(low.astype(jnp.float32).min()) >= 0.1


def test_batch_names_a_missing_batch_axis_and_double_batching():
    with pytest.raises(ValueError, match=r"got one image of shape \(16, 16, 3\).*images\[None\]"):
        ja.batch(ja.RandomRotation(10))(KEY, IMAGES[0])
    with pytest.raises(ValueError, match="already batched"):
        ja.batch(ja.batch(ja.RandomRotation(10)))
    with pytest.raises(ValueError, match="time_axis must be None, 1"):
        mix.Mixup(time_axis=5)


def test_nearest_at_half_pixel_ties_is_the_same_eagerly_and_under_jit():
    # Enlarging 2 -> 7 puts output pixel 3 exactly between input pixels 0 and 1.
    image = jnp.asarray(np.random.default_rng(0).integers(0, 255, (2, 2, 1)), jnp.uint8)
    resize = ja.Resize(7, "nearest", False)
    eager = resize(KEY, image)
    np.testing.assert_array_equal(jax.jit(resize)(KEY, image), eager)
    np.testing.assert_array_equal(ja.batch(resize)(KEY, image[None])[0], eager)


def test_big_endian_arrays_read_as_their_values():
    """NIfTI and DICOM arrays may arrive big-endian (``>f4``): read as the same values."""
    from jaxaug import volume

    key = jax.random.key(3)
    image = np.linspace(0.0, 1.0, 6 * 7 * 3, dtype=np.float32).reshape(6, 7, 3)
    vol = np.linspace(-100.0, 300.0, 4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6, 1)
    swapped_image, swapped_vol = image.astype(">f4"), vol.astype(">f4")
    assert not swapped_image.dtype.isnative

    flip = ja.RandomHorizontalFlip(1.0)
    np.testing.assert_array_equal(flip(key, swapped_image), image[:, ::-1])
    np.testing.assert_array_equal(ja.batch(flip)(key, swapped_image[None]), ja.batch(flip)(key, image[None]))
    np.testing.assert_array_equal(ja.image.adjust_brightness(swapped_image, 0.5), ja.image.adjust_brightness(image, 0.5))
    turn = volume.RandFlip(prob=1.0, spatial_axis=0)
    np.testing.assert_array_equal(turn(key, swapped_vol), vol[::-1])
    window = volume.scale_intensity_range(swapped_vol, -100.0, 300.0, 0.0, 1.0, clip=True)
    np.testing.assert_allclose(window, (vol + 100.0) / 400.0, atol=1e-6)

    ecg = np.linspace(-1.0, 1.0, 50 * 12, dtype=np.float32).reshape(50, 12)
    np.testing.assert_array_equal(signal.augment_ecg(key, ecg.astype(">f4"), fs=500.0), signal.augment_ecg(key, ecg, fs=500.0))
    row = np.linspace(0.0, 1.0, 5, dtype=np.float32)
    np.testing.assert_array_equal(tabular.feature_noise(key, row.astype(">f4")), tabular.feature_noise(key, row))
    batch, labels = image[None].repeat(2, 0), np.array([0, 1])
    swapped_mix = mix.mixup(key, batch.astype(">f4"), labels, num_classes=2)
    np.testing.assert_array_equal(swapped_mix[0], mix.mixup(key, batch, labels, num_classes=2)[0])
