"""The point ops and the automatic policies against torchvision 0.29.1.

Reference outputs and draw counts come from tests/reference/make_torchvision_policies_reference.py
(torch is never imported here). Draw tests sample only the parameters, 20k examples vmapped.
"""

import functools
import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxaug as ja
from jaxaug import _compose, _policies
from jaxaug import image as F
from jaxaug.image import _geometry
from jaxaug._policies import AutoAugmentDraw, PolicyDraw

REF = np.load(Path(__file__).parent / "reference" / "torchvision_policies_reference.npz")
TABLES = json.loads(str(REF["tables_json"]))
DRAWS = json.loads(str(REF["draws_json"]))
META = json.loads(str(REF["meta_json"]))
N_DRAWS = 20000


def _parts(key):
    return key.split("/")[1:]


# --- functional ops -------------------------------------------------------------------------

FN_KEYS = [k for k in REF.files if k.startswith("fn/")]
# torchvision's uint8 results are uint8 values; ours are those values / 255 exactly for these.
EXACT_ON_UINT8 = ("posterize", "solarize", "invert", "equalize")


def _call(op, src, param):
    image = REF[src]
    if op in ("posterize",):
        return F.posterize(image, int(param))
    if op in ("solarize", "adjust_sharpness"):
        return getattr(F, op)(image, float(param))
    return getattr(F, op)(image)


@pytest.mark.parametrize("key", FN_KEYS, ids=[k[3:] for k in FN_KEYS])
def test_point_ops_match_torchvision(key):
    op, src, param = _parts(key)
    out = np.asarray(_call(op, src, param), np.float64)
    ref = REF[key].astype(np.float64)
    assert out.dtype == np.float64 and out.shape == ref.shape
    if src.endswith("float"):
        np.testing.assert_allclose(out, ref, atol=1e-6, rtol=0)
    elif op in EXACT_ON_UINT8:
        np.testing.assert_array_equal(np.round(out * 255), ref)
        np.testing.assert_allclose(out * 255, ref, atol=1e-4)
    else:
        # autocontrast and sharpness return floats; torchvision truncates them to uint8.
        excess = out * 255 - ref
        assert excess.min() >= -1e-3 and excess.max() < 1 + 1e-3, (excess.min(), excess.max())


def test_traced_parameters_give_the_eager_result():
    u8 = jnp.asarray(REF["in_u8"])
    ops = jax.jit(
        lambda x, bits, threshold, factor: (F.posterize(x, bits), F.solarize(x, threshold), F.adjust_sharpness(x, factor))
    )
    for image, threshold in ((u8, 150.0),):
        traced = ops(image, jnp.int32(3), jnp.float32(threshold), jnp.float32(1.7))
        eager = (F.posterize(image, 3), F.solarize(image, threshold), F.adjust_sharpness(image, 1.7))
        for a, b in zip(traced, eager):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


@pytest.mark.parametrize(
    "name, op, most",
    [
        ("posterize", lambda x: F.posterize(x, 3), 1),
        ("solarize", lambda x: F.solarize(x, 0.4), 1),
        ("invert", F.invert, 1),
        ("autocontrast", F.autocontrast, 1),
        ("equalize", F.equalize, 1),
        ("sharpness-1", lambda x: F.adjust_sharpness(x, 1.0), 1),
        ("sharpness-1.7", lambda x: F.adjust_sharpness(x, 1.7), 9),
    ],
)
def test_one_nan_pixel_stays_within_the_footprint(name, op, most):
    x = jnp.asarray(REF["in_float"]).at[6, 7, 1].set(jnp.nan)
    out = np.asarray(op(x))
    bad = np.argwhere(np.isnan(out))
    assert 1 <= len(bad) <= most, f"{name}: NaN at {bad.tolist()}"
    assert np.abs(bad[:, :2] - [6, 7]).max() <= 1
    # The rest of the image is what it is without the NaN pixel, but for the footprint.
    clean = np.asarray(op(jnp.asarray(REF["in_float"])))
    far = np.ones(out.shape[:2], bool)
    far[5:8, 6:9] = False
    if name not in ("autocontrast", "equalize"):  # these see the whole channel
        np.testing.assert_array_equal(out[far], clean[far])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: F.posterize(jnp.zeros((4, 4, 3), jnp.uint8), 9), ValueError, "bits must be an integer in"),
        (lambda: F.posterize(jnp.zeros((4, 4, 3), jnp.uint8), 2.5), ValueError, "bits must be an integer in"),
        (lambda: F.solarize(jnp.zeros((4, 4, 3), jnp.uint8), 300), ValueError, "threshold must be a finite number <= 255"),
        (lambda: F.solarize(jnp.zeros((4, 4, 3)), 128), ValueError, "threshold must be a finite number <= 1"),
        (lambda: F.solarize(jnp.zeros((4, 4, 3)), float("nan")), ValueError, "threshold must be a finite"),
        (lambda: F.adjust_sharpness(jnp.zeros((4, 4, 3)), -1.0), ValueError, "sharpness_factor must be"),
        (lambda: F.equalize(jnp.zeros((3, 16, 16))), ValueError, "looks channels-first"),
        (lambda: F.autocontrast(jnp.zeros((16, 16, 3), jnp.int16)), TypeError, "image dtype must be uint8"),
        (lambda: F.invert(jnp.full((4, 4, 3), 40.0)), ValueError, "must lie in \\[0, 1\\]"),
        (lambda: F.autocontrast(jnp.zeros((4, 4, 2))), ValueError, "1 \\(gray\\) or 3 \\(RGB\\) channels"),
        (lambda: ja.RandomPosterize(3, p=True), TypeError, "p must be a probability"),
        (lambda: ja.RandomPosterize(9), ValueError, "bits must be an integer in"),
        (lambda: ja.RandomSolarize(float("inf")), ValueError, "threshold must be a finite"),
        (lambda: ja.RandomAdjustSharpness(-0.5), ValueError, "sharpness_factor must be a finite number >= 0"),
        (lambda: ja.RandomSolarize(128, p=1)(jax.random.key(0), jnp.zeros((4, 4, 3))), ValueError, "above the maximum 1"),
        (lambda: ja.RandAugment(magnitude=31), ValueError, "magnitude must be an integer bin"),
        (lambda: ja.RandAugment(num_ops=-1), ValueError, "num_ops must be"),
        (lambda: ja.RandAugment(interpolation="bicubic"), ValueError, "interpolation must be one of"),
        (lambda: ja.AutoAugment("coco"), ValueError, "policy must be one of"),
        (lambda: ja.AugMix(severity=0), ValueError, "severity must be an integer in"),
        (lambda: ja.AugMix(alpha=0.0), ValueError, "alpha must be > 0"),
        (lambda: ja.TrivialAugmentWide(fill=float("nan")), ValueError, "fill must be a finite"),
        (lambda: _forced_apply(ja.TrivialAugmentWide(fill=300), jnp.zeros((8, 8, 3), jnp.uint8)), ValueError, "fill must be a whole number in \\[0, 255\\]"),
        (lambda: _forced_apply(ja.TrivialAugmentWide(), jnp.zeros((8, 8, 4))), ValueError, "1 \\(gray\\) or 3 \\(RGB\\)"),
        (lambda: _forced_apply(ja.TrivialAugmentWide(), jnp.full((8, 8, 3), 300.0)), ValueError, "must lie in \\[0, 1\\]"),
        (lambda: _forced_apply(ja.AugMix(), jnp.zeros((8, 8, 3)), jnp.zeros((8, 8), jnp.int32)), ValueError, "masks are not supported"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()


def _forced_apply(t, image, mask=None):
    draw = None if isinstance(t, ja.AugMix) else _forced(t, "Identity", 0.0)  # refused before the draw is read
    return t.apply(draw, image, mask)


def test_equalize_matches_pil_where_the_top_level_and_a_small_step_decide():
    # PIL's scheme (torchvision's uint8 equalize): the top level's pixels do not count towards
    # the step, a step of 0 leaves the channel alone, a step of 1 maps levels to cumulative
    # counts. Red: 30% of 1600 pixels on the top level (step 4); green: 300 below the top (step
    # 1); blue: on the top level but for 3 pixels (step 0). Random references rarely reach these.
    ImageOps = pytest.importorskip("PIL.ImageOps")
    from PIL import Image

    rng = np.random.default_rng(11)
    image = np.empty((40, 40, 3), np.uint8)
    image[..., 0] = np.where(rng.random((40, 40)) < 0.3, 230, rng.integers(0, 230, (40, 40)))
    image[..., 1] = rng.permutation(np.concatenate([rng.integers(10, 41, 300), np.full(1300, 200)])).reshape(40, 40)
    image[..., 2] = 250
    image[0, :3, 2] = (17, 40, 90)
    expected = np.asarray(ImageOps.equalize(Image.fromarray(image)))
    np.testing.assert_array_equal(np.round(np.asarray(F.equalize(image)) * 255), expected)


def test_a_nan_pixel_is_left_out_of_equalizes_histogram():
    # The other pixels are equalized as if the NaN pixel were not there (not as a level 0).
    levels = np.random.default_rng(4).integers(40, 200, (1, 600, 3))
    image = jnp.asarray(levels / 255.0, jnp.float32).at[0, -1, 1].set(jnp.nan)
    out = np.asarray(F.equalize(image))
    assert np.isnan(out[0, -1, 1])
    # Channel 1 holds the NaN; the other channels lose a real pixel in the shorter image.
    np.testing.assert_array_equal(out[:, :-1, 1], np.asarray(F.equalize(image[:, :-1]))[..., 1])


@given(seed=st.integers(0, 2**31 - 1), low=st.integers(0, 120), span=st.integers(1, 135))
def test_property_equalize_and_autocontrast_keep_the_order_of_levels(seed, low, span):
    image = np.random.default_rng(seed).integers(low, low + span + 1, (9, 11, 1), dtype=np.uint8)
    for op in (F.equalize, F.autocontrast):
        out = np.asarray(op(image))[..., 0].ravel()
        order = np.argsort(image[..., 0].ravel(), kind="stable")
        assert np.all(np.diff(out[order]) >= -1e-7), op.__name__
    # A constant channel is left as it is (no division by a zero span).
    np.testing.assert_allclose(np.asarray(F.autocontrast(np.full((3, 4, 1), low, np.uint8))), low / 255, atol=1e-7)
    stretched = np.asarray(F.autocontrast(image))
    if image.min() < image.max():
        assert stretched.min() == 0.0 and stretched.max() >= 1.0 - 1e-6


# --- the policies' operations at a given magnitude -------------------------------------------

OP_KEYS = [k for k in REF.files if k.startswith("op/") and not k.endswith("/nearest/30,60,90") and not k.endswith("/nearest/0.1,0.5,0.9")]


POINT_OPS = tuple(op for op in _policies._AUTO_OPS if op not in _policies._GEOMETRIC)


@functools.lru_cache(maxsize=None)
def _applier(geometric, interpolation, fill, uint8):
    """One compiled program per group of ops and setting (the policies' own op applier)."""
    ops = ("Identity",) + (_policies._GEOMETRIC if geometric else POINT_OPS)
    apply = _policies._Applier(ops, interpolation, fill, 0, uint8, "test")
    one = jnp.ones((1,), bool)
    return ops, jax.jit(lambda x, op, magnitude: _policies._run_ops(apply, x, None, op[None], magnitude[None], one)[0])


def _one_op(op, magnitude, interpolation, fill, src):
    """The policies' op `op` at a signed `magnitude`; fills in float units, as policies pass them."""
    uint8 = src.endswith("u8")
    fill = tuple(v / 255.0 for v in fill) if uint8 else tuple(fill)
    ops, run = _applier(op in _policies._GEOMETRIC, interpolation, fill, uint8)
    x = ja.image.to_float(REF[src])
    return np.asarray(run(x, jnp.int32(ops.index(op)), jnp.float32(magnitude)), np.float64)


@pytest.mark.parametrize("key", OP_KEYS, ids=[k[3:] for k in OP_KEYS])
def test_policy_ops_match_torchvision_at_the_same_magnitude(key):
    op, src, magnitude, interpolation, fill = _parts(key)
    fill_value = (0.0, 0.0, 0.0) if fill == "none" else tuple(float(v) for v in fill.split(","))
    out = _one_op(op, float(magnitude), interpolation, fill_value, src)
    scale = 255.0 if src.endswith("u8") else 1.0
    ref = REF[key].astype(np.float64)
    diff = out * scale - ref
    if op == "Rotate" and interpolation == "nearest":
        # Exact but for points a rounding away from a half-pixel tie (README: nearest rotation).
        assert (np.abs(diff) > 1e-3).any(axis=-1).mean() <= 0.015
    elif interpolation == "bilinear" and fill != "none":
        # torchvision blends the fill in a second time over the border band; compare the
        # pixels that read only the image (equal to the fill=None output) and those wholly
        # outside (the fill itself).
        inside = np.isclose(REF[key], REF[key.rsplit("/", 1)[0] + "/none"], rtol=0, atol=1e-5 * scale).all(axis=-1)
        outside = (REF[key.rsplit("/", 1)[0] + "/none"] == 0).all(axis=-1)
        assert inside.mean() > 0.5 and outside.any()
        np.testing.assert_allclose(diff[inside], 0, atol=0.5 + 1e-3 if src.endswith("u8") else 2e-6)
        np.testing.assert_allclose(out[outside] * scale, np.broadcast_to(fill_value, out[outside].shape), atol=1e-4)
    elif src.endswith("float"):
        np.testing.assert_allclose(diff, 0, atol=2e-6)
    elif interpolation == "bilinear":
        assert np.abs(diff).max() <= 0.5 + 1e-3  # torchvision rounds to uint8
    elif op in ("Brightness", "Sharpness", "AutoContrast"):
        assert diff.min() >= -1e-3 and diff.max() < 1 + 1e-3  # torchvision truncates to uint8
    elif op in ("Color", "Contrast"):
        # torchvision also truncates its uint8 gray image before blending.
        assert diff.min() > -1 and diff.max() < 2
    else:
        np.testing.assert_array_equal(np.round(out * scale), ref)


@pytest.mark.parametrize(
    "name, scale, bins",
    [("RandAugment", "rand", 31), ("TrivialAugmentWide", "wide", 31), ("AutoAugment", "rand", 10), ("AugMix", "augmix", 10), ("AugMix-partial", "augmix", 10)],
)
def test_op_tables_and_magnitudes_are_torchvisions(name, scale, bins):
    ops = {"RandAugment": ja.RandAugment().ops, "TrivialAugmentWide": ja.TrivialAugmentWide().ops,
           "AutoAugment": ja.AutoAugment().ops, "AugMix": ja.AugMix().ops, "AugMix-partial": ja.AugMix(all_ops=False).ops}[name]  # fmt: skip
    entries = TABLES[name]
    assert list(ops) == [e[0] for e in entries]
    assert [op in _policies._SIGNED for op in ops] == [e[1] for e in entries]
    table = _policies.magnitude_table(ops, scale, bins, *META["draw_hw"])
    expected = np.array([np.zeros(bins) if e[2] is None else e[2] for e in entries])
    np.testing.assert_allclose(table, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("policy", ["imagenet", "cifar10", "svhn"])
def test_auto_augment_sub_policies_are_torchvisions(policy):
    ours = [[list(step) for step in sub] for sub in _policies._SUB_POLICIES[policy]]
    assert ours == TABLES[f"AutoAugment-{policy}"]


# --- draws: per example, distributed as torchvision draws ------------------------------------


def _cells(t, draw):
    """The recorder's cells "op|magnitude|sign" of the active op slots, one list per example."""
    names = np.array(t.ops)[np.asarray(draw.op)]
    magnitude, negate, active = (np.asarray(a) for a in (draw.magnitude, draw.negate, draw.active))
    names, magnitude, negate, active = (a.reshape(N_DRAWS, -1) for a in (names, magnitude, negate, active))
    return [
        [f"{n}|{abs(m):.5g}|{'-' if neg else '+'}" for n, m, neg, a in zip(*row) if a]
        for row in zip(names, magnitude, negate, active)
    ]


def _same_distribution(ours, theirs, n_ours, n_theirs):
    """Per-cell two-sample binomial bounds (5 sigma) and an overall chi-square bound."""
    cells = sorted(set(ours) | set(theirs))
    chi2 = 0.0
    for cell in cells:
        a, b = ours.get(cell, 0), theirs.get(cell, 0)
        pooled = (a + b) / (n_ours + n_theirs)
        sigma = np.sqrt(pooled * (1 - pooled) * (1 / n_ours + 1 / n_theirs))
        assert abs(a / n_ours - b / n_theirs) <= 5 * sigma + 1e-12, (cell, a, b)
        chi2 += (a / n_ours - b / n_theirs) ** 2 / (pooled * (1 / n_ours + 1 / n_theirs))
    df = len(cells) - 1
    assert chi2 <= df + 5 * np.sqrt(2 * df), (chi2, df)


def _counts(cells):
    out = {}
    for c in cells:
        out[c] = out.get(c, 0) + 1
    return out


@functools.lru_cache(maxsize=None)
def _sample_many(t, shape):
    """N_DRAWS draws of `t` (a hashable transform), vmapped; shared by the tests that read them."""
    keys = jax.random.split(jax.random.key(0), N_DRAWS)
    return jax.jit(jax.vmap(lambda k: t.sample(k, shape)))(keys)


DRAW_CASES = [
    ("RandAugment", lambda: ja.RandAugment()),
    ("RandAugment-m4-b11", lambda: ja.RandAugment(num_ops=3, magnitude=4, num_magnitude_bins=11)),
    ("TrivialAugmentWide", lambda: ja.TrivialAugmentWide()),
    ("AugMix", lambda: ja.AugMix()),
    ("AugMix-s7-d2-partial", lambda: ja.AugMix(severity=7, chain_depth=2, all_ops=False)),
]


@pytest.mark.parametrize("name, make", DRAW_CASES, ids=[n for n, _ in DRAW_CASES])
def test_ops_magnitudes_and_signs_are_drawn_like_torchvision(name, make):
    t = make()
    hw = tuple(META["draw_hw"])
    draw = _sample_many(t, (*hw, 3))
    steps = draw.chains if isinstance(t, ja.AugMix) else draw
    ours = _counts(cell for row in _cells(t, steps) for cell in row)
    theirs = DRAWS[name]
    _same_distribution(ours, theirs, sum(ours.values()), sum(theirs.values()))
    if isinstance(t, ja.AugMix):
        per_call = np.asarray(steps.active).reshape(N_DRAWS, -1).sum(axis=1)
        calls = _counts(str(v) for v in per_call)
        _same_distribution(calls, DRAWS[name + "/ops_per_call"], N_DRAWS, N_DRAWS)
    # The sign: a fair coin for the signed ops (torchvision: rand <= 0.5), bounded from both sides.
    signed = np.isin(np.array(t.ops)[np.asarray(steps.op)], _policies._SIGNED) & np.asarray(steps.active)
    negative = np.asarray(steps.negate)[signed].mean()
    assert abs(negative - 0.5) <= 4 * np.sqrt(0.25 / signed.sum()), negative
    # Every example drew for itself: the first slot's op takes every value.
    assert len(np.unique(np.asarray(steps.op).reshape(N_DRAWS, -1)[:, 0])) == len(t.ops)


@pytest.mark.parametrize("policy", ["imagenet", "cifar10", "svhn"])
def test_auto_augment_sub_policies_and_steps_are_drawn_like_torchvision(policy):
    t = ja.AutoAugment(policy)
    hw = tuple(META["draw_hw"])
    draw = _sample_many(t, (*hw, 3))
    ours = [f"{sub}|" + ",".join(row) for sub, row in zip(np.asarray(draw.sub_policy), _cells(t, draw.steps))]
    _same_distribution(_counts(ours), DRAWS[f"AutoAugment-{policy}"], N_DRAWS, N_DRAWS)


def _ks_distance(a, b):
    grid = np.sort(np.concatenate([a, b]))
    cdf_a = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    cdf_b = np.searchsorted(np.sort(b), grid, side="right") / len(b)
    return np.abs(cdf_a - cdf_b).max()


def test_augmix_mixing_weights_are_drawn_like_torchvision():
    theirs = REF["augmix_weights"]  # (4000, 4): original, three chains
    draw = _sample_many(ja.AugMix(), (*META["draw_hw"], 3))
    ours = np.concatenate([np.asarray(draw.original_weight)[:, None], np.asarray(draw.chain_weights)], axis=1)
    np.testing.assert_allclose(ours.sum(axis=1), 1.0, atol=1e-5)
    # Two-sample Kolmogorov-Smirnov bound at a 1e-4 false-alarm rate, per column.
    bound = np.sqrt(-np.log(1e-4 / 2) / 2) * np.sqrt(1 / len(theirs) + 1 / len(ours))
    for column in range(4):
        assert _ks_distance(ours[:, column], theirs[:, column]) <= bound, column


def test_the_apply_or_not_draw_is_independent_of_the_op():
    draw = _sample_many(ja.AutoAugment("cifar10"), (*META["draw_hw"], 3))
    sub, fired = np.asarray(draw.sub_policy), np.asarray(draw.steps.active)
    # Sub-policy 2 is (Sharpness 0.8, Sharpness 0.9): the two steps fire on their own.
    rows = fired[sub == 2]
    assert abs(rows[:, 0].mean() - 0.8) < 0.04 and abs(rows[:, 1].mean() - 0.9) < 0.03
    assert abs(np.corrcoef(rows[:, 0], rows[:, 1])[0, 1]) < 0.1


@given(
    axis=st.sampled_from([0, 1]),
    slope=st.floats(-2.0, 2.0, width=32),
    offset=st.floats(-30.0, 30.0, width=32),
    uint8=st.booleans(),
    translation=st.booleans(),
)
def test_property_line_shifts_read_the_pixels_of_the_general_nearest_warp(axis, slope, offset, uint8, translation):
    # The policies' translations and shears move whole lines (issue #13); they must read the
    # pixels the general nearest warp reads, fill where it fills, and keep a NaN where it lands.
    h, w = 13, 17
    slope = 0.0 if translation else slope
    matrix = np.eye(3, dtype=np.float32)
    if axis == 1:
        matrix[0, 1], matrix[0, 2] = slope, offset
    else:
        matrix[1, 0], matrix[1, 2] = slope, offset
    values = np.arange(h * w * 3).reshape(h, w, 3) % 251
    fill = (10, 20, 30) if uint8 else (0.25, 0.5, 0.75)
    image = jnp.asarray(values, jnp.uint8) if uint8 else jnp.asarray(values / 251.0, jnp.float32).at[4, 9, 1].set(jnp.nan)
    general = np.asarray(_geometry.resample(image, matrix, (h, w), interpolation="nearest", fill=fill, border="fill"))
    lines = np.asarray(_geometry.shift_lines_nearest(image, matrix, axis, fill=fill, translation=translation))
    assert lines.shape == general.shape and lines.dtype == general.dtype
    # Lines whose shift sits a float rounding away from a half-pixel tie may round either way.
    shift = np.float64(np.float32(slope)) * np.arange(w if axis == 0 else h) + np.float64(np.float32(offset)) + 0.5 + 1e-4
    near_tie = np.abs(shift - np.round(shift)) < 1e-3
    differs = ~((lines == general) | (np.isnan(lines) & np.isnan(general))).all(axis=-1)
    differing_lines = differs.any(axis=1) if axis == 1 else differs.any(axis=0)  # per row, or per column
    assert not (differing_lines & ~near_tie).any()


# --- masks, units, presets --------------------------------------------------------------------


def test_geometric_policy_ops_move_the_mask_and_point_ops_leave_it():
    t = ja.TrivialAugmentWide()
    h, w = 14, 18
    mask = jnp.asarray((np.arange(h * w).reshape(h, w) * 7) % 11, jnp.int32)
    # The mask as a uint8 image: nearest warps move it where the mask goes, exactly.
    as_image = mask.astype(jnp.uint8)[..., None]
    cases = (
        ("ShearX", -0.37, True), ("ShearY", 0.52, True), ("TranslateX", -4.2, True), ("TranslateY", 5.6, True),
        ("Rotate", 41.0, True), ("Equalize", 0.0, False), ("Posterize", 3.0, False),
    )  # fmt: skip
    for op, magnitude, moves in cases:
        draw = _forced(t, op, magnitude)
        moved, out_mask = t.apply(draw, as_image, mask)
        if moves:
            np.testing.assert_array_equal(np.asarray(out_mask), np.round(np.asarray(moved)[..., 0] * 255).astype(np.int32))
            assert (np.asarray(out_mask) != np.asarray(mask)).mean() > 0.2, op
        else:
            np.testing.assert_array_equal(np.asarray(out_mask), np.asarray(mask))


def test_slots_run_in_order_and_a_step_that_did_not_fire_moves_nothing():
    # Two slots, Rotate then Equalize, are the two one-slot draws one after the other (the
    # other order gives other pixels); an AutoAugment step that did not fire leaves both the
    # image and the mask where they are, even when its op is geometric.
    t = ja.RandAugment()
    # 720 pixels: equalize's step is 2, so it changes the image.
    x = jnp.asarray(np.random.default_rng(2).integers(0, 256, (24, 30, 3), dtype=np.uint8))
    mask = jnp.asarray(np.arange(24 * 30).reshape(24, 30) % 5, jnp.int32)
    first, second = _forced(t, "Rotate", 41.0), _forced(t, "Equalize", 0.0)
    both = PolicyDraw(*(jnp.concatenate([a, b]) for a, b in zip(first, second)))
    def as_uint8(image):  # nearest warps and equalize keep uint8 levels exactly
        return jnp.round(image * 255).astype(jnp.uint8)

    out, out_mask = t.apply(both, x, mask)
    rotated, rotated_mask = t.apply(first, x, mask)
    expected, _ = t.apply(second, as_uint8(rotated), rotated_mask)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    np.testing.assert_array_equal(np.asarray(out_mask), np.asarray(rotated_mask))
    equalized, _ = t.apply(second, x, mask)
    assert not np.array_equal(np.asarray(out), np.asarray(t.apply(first, as_uint8(equalized), mask)[0]))
    idle = _forced(t, "Rotate", 41.0)._replace(active=jnp.zeros(1, bool))
    still, still_mask = t.apply(idle, x, mask)
    np.testing.assert_array_equal(np.asarray(still), np.asarray(ja.image.to_float(x)))
    np.testing.assert_array_equal(np.asarray(still_mask), np.asarray(mask))


def _forced(t, op, magnitude):
    """A one-slot draw of `op` at `magnitude`."""
    return PolicyDraw(
        jnp.array([t.ops.index(op)]), jnp.zeros(1, jnp.int32), jnp.array([magnitude < 0]), jnp.array([magnitude], jnp.float32), jnp.ones(1, bool)
    )


def test_line_shifts_one_at_a_time_and_the_shared_warp_under_vmap_move_the_same_pixels():
    # One example at a time, translations and shears shift whole lines; under vmap they share
    # the general warp (issue #13). Same draws, same image and mask either way; and the vmapped
    # program really has fewer geometric branches.
    t = ja.TrivialAugmentWide(fill=(200, 10, 90), mask_fill=7)
    cases = (("ShearX", 0.43), ("ShearY", -0.61), ("TranslateX", -7.0), ("TranslateY", 5.0), ("Rotate", 33.0), ("Color", 0.3))
    draws = [_forced(t, op, magnitude) for op, magnitude in cases]
    rng = np.random.default_rng(11)
    x = jnp.asarray(rng.integers(0, 256, (len(cases), 14, 18, 3)), jnp.uint8)
    mask = jnp.asarray(rng.integers(0, 5, (len(cases), 14, 18)), jnp.int32)
    batched_image, batched_mask = jax.jit(jax.vmap(t.apply))(jax.tree.map(lambda *a: jnp.stack(a), *draws), x, mask)
    for i, (op, _) in enumerate(cases):
        image, out_mask = jax.jit(t.apply)(draws[i], x[i], mask[i])
        np.testing.assert_array_equal(np.asarray(out_mask), np.asarray(batched_mask[i]), err_msg=op)
        if op == "Color":  # the blend's rounding differs by an ulp between vmap and one example
            np.testing.assert_allclose(np.asarray(image), np.asarray(batched_image[i]), atol=1e-6)
        else:  # nearest moves values exactly
            np.testing.assert_array_equal(np.asarray(image), np.asarray(batched_image[i]), err_msg=op)
            assert (np.asarray(out_mask) == 7).any() and (np.asarray(out_mask) != np.asarray(mask[i])).mean() > 0.2, op
    one_jaxpr = str(jax.make_jaxpr(t.apply)(draws[0], x[0], mask[0]))
    batched_jaxpr = str(jax.make_jaxpr(jax.vmap(t.apply))(jax.tree.map(lambda *a: jnp.stack(a), *draws), x, mask))
    # Gathers along one axis (take_along_axis) appear only in the one-at-a-time program.
    assert one_jaxpr.count("gather[") > batched_jaxpr.count("gather[")


def test_thresholds_and_policy_fills_are_in_the_pipeline_inputs_units():
    x = jnp.asarray(REF["in_u8"])
    flipped_then_solarized = ja.Compose([ja.RandomHorizontalFlip(p=1), ja.RandomSolarize(128, p=1)])(jax.random.key(0), x)
    np.testing.assert_allclose(np.asarray(flipped_then_solarized), np.asarray(F.solarize(F.hflip(x), 128)), atol=1e-6)
    # A policy's fill is a value of the input too: after a uint8 input became float, Compose
    # gives white (255) as 1.0 (see _fills_in_float_units), not 255.0.
    assert _compose._fills_in_float_units(ja.AutoAugment(fill=(255, 51, 0))).fill == (1.0, 0.2, 0.0)


def test_no_clinical_preset_uses_a_policy_or_a_density_changing_op():
    density = (ja.RandAugment, ja.TrivialAugmentWide, ja.AutoAugment, ja.AugMix, ja.RandomPosterize, ja.RandomSolarize,
               ja.RandomEqualize, ja.RandomAutocontrast, ja.RandomInvert)  # fmt: skip
    for preset in (ja.presets.xray_train(), ja.presets.pathology_train()):
        assert not any(isinstance(step, density) for step in preset.transforms)


def test_defaults_are_torchvisions():
    ra, ta, aa, am = ja.RandAugment(), ja.TrivialAugmentWide(), ja.AutoAugment(), ja.AugMix()
    assert (ra.num_ops, ra.magnitude, ra.num_magnitude_bins, ra.interpolation) == (2, 9, 31, "nearest")
    assert (ta.num_magnitude_bins, ta.interpolation, aa.policy, aa.interpolation) == (31, "nearest", "imagenet", "nearest")
    assert (am.severity, am.mixture_width, am.chain_depth, am.alpha, am.all_ops, am.interpolation) == (3, 3, -1, 1.0, True, "bilinear")
    for t in (ja.RandomPosterize(4), ja.RandomSolarize(128), ja.RandomEqualize(), ja.RandomAutocontrast(), ja.RandomAdjustSharpness(2), ja.RandomInvert()):
        assert t.p == 0.5


def test_batch_of_one_at_a_time_runs_only_the_drawn_operation_and_draws_as_vmap():
    # ja.batch(chunk_size=1) maps examples without vmap, so the op switch stays a branch (under
    # vmap it becomes a select over every op); the draws and outputs are those of vmap.
    t = ja.RandAugment(num_ops=2, magnitude=12)
    x = jnp.asarray(np.random.default_rng(5).integers(0, 256, (4, 12, 14, 3), dtype=np.uint8))
    key = jax.random.key(3)
    one_at_a_time = ja.batch(t, chunk_size=1)
    assert "cond[" in str(jax.make_jaxpr(one_at_a_time)(key, x))
    np.testing.assert_allclose(np.asarray(jax.jit(one_at_a_time)(key, x)), np.asarray(jax.jit(ja.batch(t))(key, x)), atol=1e-6)
