"""Record torchvision's affine, perspective, elastic, pad and zoom-out for jaxaug's tests.

The tests never import torch: they read ``torchvision_geometry_reference.npz`` (written next to
this file). Run by hand, never by pytest, in a scratch virtualenv outside the repository with
exactly ``torch==2.14.1`` and ``torchvision==0.29.1``::

    /tmp/tvenv/bin/python tests/reference/make_torchvision_geometry_reference.py

Conventions: images are stored channels-last (HWC); float inputs and outputs float32, uint8
inputs and outputs uint8 (torchvision rounds its uint8 results). ``calls_json`` maps every
output key to the call that produced it. Parameter draws (``draws_*``) come from the v2
classes' ``make_params`` after ``torch.manual_seed(0)``, for distribution checks only.
"""

import json
from pathlib import Path

import numpy as np
import torch
import torchvision
import torchvision.transforms.v2 as T
import torchvision.transforms.v2._geometry as tv_geometry
import torchvision.transforms.v2.functional as F

OUT_PATH = Path(__file__).with_name("torchvision_geometry_reference.npz")
N_DRAWS = 4000
H, W = 24, 32

# (name, angle, translate, scale, shear, center): asymmetric so that a sign or a swap shows.
AFFINES = [
    ("rts", 23.0, [3, -2], 1.2, [10.0, -5.0], None),
    ("center", -40.0, [1, 4], 0.8, [0.0, 12.0], [5.0, 7.0]),
    ("shear_only", 0.0, [0, 0], 1.0, [30.0, 0.0], None),
]
STARTPOINTS = [[0, 0], [W - 1, 0], [W - 1, H - 1], [0, H - 1]]
ENDPOINTS = [[3, 2], [28, 1], [30, 22], [1, 19]]
PADDING = [3, 2, 5, 1]  # left, top, right, bottom


def make_inputs():
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    u, v = x / W, y / H
    channels = [
        0.5 + 0.3 * np.sin(2 * np.pi * (1.0 * u + 0.5 * v)) + 0.15 * np.cos(2 * np.pi * 1.3 * v),
        0.5 + 0.3 * np.cos(2 * np.pi * (0.8 * u - 1.2 * v)),
        0.5 + 0.35 * np.sin(2 * np.pi * (0.4 * u + 1.0 * v) + 1.0),
    ]
    smooth = np.clip(np.stack(channels, axis=-1), 0.0, 1.0).astype(np.float32)
    noise_u8 = np.random.default_rng(0).integers(0, 256, size=(H, W, 3), dtype=np.uint8)
    displacement = np.random.default_rng(1).uniform(-0.15, 0.15, size=(1, H, W, 2)).astype(np.float32)
    return smooth, noise_u8, displacement


def chw(a):
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def hwc(t):
    return np.ascontiguousarray(t.numpy().transpose(1, 2, 0))


def outputs(smooth, noise_u8, displacement):
    inputs = {"in_smooth": smooth, "in_noise_u8": noise_u8}
    out, calls = {}, {}

    def add(key, src, fn, call):
        out[key] = hwc(fn(chw(inputs[src])))
        calls[key] = f"{call} on {src}"

    for name, angle, translate, scale, shear, center in AFFINES:
        for interp in ("nearest", "bilinear"):
            for fill, fill_name in ((None, "none"), ([0.2, 0.5, 0.9], "rgb")):
                kw = dict(angle=angle, translate=translate, scale=scale, shear=shear, interpolation=interp, fill=fill, center=center)
                add(f"affine_{name}_{interp}_fill{fill_name}", "in_smooth", lambda t, kw=kw: F.affine(t, **kw), f"F.affine(x, **{kw})")
            kw = dict(angle=angle, translate=translate, scale=scale, shear=shear, interpolation=interp, fill=200, center=center)
            add(f"u8_affine_{name}_{interp}_fill200", "in_noise_u8", lambda t, kw=kw: F.affine(t, **kw), f"F.affine(x, **{kw})")
    for interp in ("nearest", "bilinear"):
        for fill, fill_name in ((None, "none"), ([0.2, 0.5, 0.9], "rgb")):
            kw = dict(startpoints=STARTPOINTS, endpoints=ENDPOINTS, interpolation=interp, fill=fill)
            add(f"perspective_{interp}_fill{fill_name}", "in_smooth", lambda t, kw=kw: F.perspective(t, **kw), f"F.perspective(x, **{kw})")
        kw = dict(startpoints=STARTPOINTS, endpoints=ENDPOINTS, interpolation=interp, fill=200)
        add(f"u8_perspective_{interp}_fill200", "in_noise_u8", lambda t, kw=kw: F.perspective(t, **kw), f"F.perspective(x, **{kw})")
        d = torch.from_numpy(displacement)
        add(f"elastic_{interp}", "in_smooth", lambda t, i=interp: F.elastic(t, d, interpolation=i), f"F.elastic(x, displacement, '{interp}')")
        add(f"u8_elastic_{interp}", "in_noise_u8", lambda t, i=interp: F.elastic(t, d, interpolation=i), f"F.elastic(x, displacement, '{interp}')")
    for mode in ("constant", "edge", "reflect", "symmetric"):
        fill = 0.25 if mode == "constant" else None
        add(f"pad_{mode}", "in_smooth", lambda t, m=mode, f=fill: F.pad(t, PADDING, fill=f, padding_mode=m), f"F.pad(x, {PADDING}, {fill}, '{mode}')")
        fill = 200 if mode == "constant" else None
        add(f"u8_pad_{mode}", "in_noise_u8", lambda t, m=mode, f=fill: F.pad(t, PADDING, fill=f, padding_mode=m), f"F.pad(x, {PADDING}, {fill}, '{mode}')")
    add("pad_2", "in_smooth", lambda t: F.pad(t, 2), "F.pad(x, 2)")
    add("pad_lr3_tb1", "in_smooth", lambda t: F.pad(t, [3, 1], fill=0.5), "F.pad(x, [3, 1], fill=0.5)")
    # RandomZoomOut's canvas (padding), resized back to the input size: jaxaug's static form.
    add(
        "zoom_out_resized",
        "in_smooth",
        lambda t: F.resize(F.pad(t, [7, 4, 9, 6], fill=0.3), [H, W], antialias=False),
        "F.resize(F.pad(x, [7, 4, 9, 6], fill=0.3), [H, W], antialias=False)",
    )
    out["perspective_coefficients"] = np.asarray(
        torchvision.transforms.functional._get_perspective_coeffs(STARTPOINTS, ENDPOINTS), np.float64
    )
    calls["perspective_coefficients"] = f"_get_perspective_coeffs({STARTPOINTS}, {ENDPOINTS})"
    return out, calls


def draws():
    torch.manual_seed(0)
    image = torch.zeros(3, H, W)
    out, calls = {}, {}
    affine = T.RandomAffine(degrees=(-15, 30), translate=(0.1, 0.25), scale=(0.7, 1.3), shear=(-10, 5, 2, 20))
    rows = []
    for _ in range(N_DRAWS):
        p = affine.make_params([image])
        rows.append([p["angle"], p["translate"][0], p["translate"][1], p["scale"], p["shear"][0], p["shear"][1]])
    out["draws_affine"] = np.asarray(rows, np.float32)
    calls["draws_affine"] = f"{affine!r}.make_params on {H}x{W}: angle, tx, ty, scale, shear_x, shear_y"

    captured = []
    original = tv_geometry._get_perspective_coeffs

    def capture(startpoints, endpoints):
        captured.append(np.asarray(endpoints).ravel())
        return original(startpoints, endpoints)

    tv_geometry._get_perspective_coeffs = capture
    try:
        perspective = T.RandomPerspective(distortion_scale=0.6, p=1.0)
        for _ in range(N_DRAWS):
            perspective.make_params([image])
    finally:
        tv_geometry._get_perspective_coeffs = original
    out["draws_perspective"] = np.asarray(captured, np.int16)
    calls["draws_perspective"] = f"{perspective!r}.make_params on {H}x{W}: endpoints (tl, tr, br, bl) x, y"

    zoom = T.RandomZoomOut(side_range=(1.0, 3.0), p=1.0)
    out["draws_zoom_out"] = np.asarray([zoom.make_params([image])["padding"] for _ in range(N_DRAWS)], np.int16)
    calls["draws_zoom_out"] = f"{zoom!r}.make_params on {H}x{W}: padding (left, top, right, bottom)"

    elastic = T.ElasticTransform(alpha=(40.0, 20.0), sigma=(3.0, 3.0))
    fields = np.stack([elastic.make_params([image])["displacement"][0].numpy() for _ in range(200)])
    # Per draw: the standard deviation of dx and dy, and the mean neighbour correlation along x.
    dx, dy = fields[..., 0], fields[..., 1]
    corr = np.mean(dx[:, :, 1:] * dx[:, :, :-1], axis=(1, 2)) / np.mean(dx * dx, axis=(1, 2))
    out["draws_elastic_stats"] = np.stack([dx.std(axis=(1, 2)), dy.std(axis=(1, 2)), corr], axis=1).astype(np.float32)
    calls["draws_elastic_stats"] = f"{elastic!r}.make_params on {H}x{W}: std dx, std dy, lag-1 x correlation of dx"
    return out, calls


def main():
    smooth, noise_u8, displacement = make_inputs()
    out, calls = outputs(smooth, noise_u8, displacement)
    more, more_calls = draws()
    out.update(more)
    calls.update(more_calls)
    np.savez_compressed(
        OUT_PATH,
        in_smooth=smooth,
        in_noise_u8=noise_u8,
        in_displacement=displacement,
        calls_json=np.asarray(json.dumps(calls, indent=0)),
        versions=np.asarray(f"torch {torch.__version__}, torchvision {torchvision.__version__}"),
        **out,
    )
    print(f"wrote {OUT_PATH} ({OUT_PATH.stat().st_size} bytes, {len(out)} arrays)")


if __name__ == "__main__":
    main()
