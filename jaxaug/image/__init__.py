"""Functional image ops: deterministic, explicit parameters, torchvision's meanings.

Every op takes one image of shape (H, W, C), uint8 (0..255) or floating (0..1). Index ops
(flips, crops, quarter turns) keep the dtype; everything that interpolates or computes returns
floats (float32 for uint8 input). Parameters that do not set the output shape may be traced
arrays, so the random transforms in :mod:`jaxaug` can draw them per example.
"""

from jaxaug.image._color import (
    adjust_brightness,
    adjust_contrast,
    adjust_hue,
    adjust_saturation,
    erase,
    gaussian_blur,
    normalize,
    rgb_to_grayscale,
    to_float,
)
from jaxaug.image._intensity import scale_intensity_range, window
from jaxaug.image._photometric import (
    adjust_gamma,
    adjust_sharpness,
    autocontrast,
    equalize,
    gaussian_noise,
    invert,
    permute_channels,
    posterize,
    solarize,
)
from jaxaug.image._geometry import (
    affine,
    center_crop,
    crop,
    hflip,
    resize,
    resized_crop,
    rot90,
    rotate,
    vflip,
    warp_affine,
)
from jaxaug.image._warps import elastic, pad, perspective

__all__ = [
    "adjust_brightness",
    "adjust_contrast",
    "adjust_gamma",
    "adjust_hue",
    "adjust_saturation",
    "adjust_sharpness",
    "affine",
    "autocontrast",
    "center_crop",
    "crop",
    "elastic",
    "equalize",
    "erase",
    "gaussian_blur",
    "gaussian_noise",
    "hflip",
    "invert",
    "normalize",
    "pad",
    "permute_channels",
    "perspective",
    "posterize",
    "resize",
    "resized_crop",
    "rgb_to_grayscale",
    "rot90",
    "rotate",
    "scale_intensity_range",
    "solarize",
    "to_float",
    "vflip",
    "warp_affine",
    "window",
]
