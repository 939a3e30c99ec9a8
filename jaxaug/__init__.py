"""jaxaug: data augmentation for JAX and Flax.

Random transforms are named and defaulted like ``torchvision.transforms.v2`` and called with a
PRNG key first: ``t(key, image)`` for one (H, W, C) image, ``ja.batch(t)(key, images)`` for a
batch with one independent draw per example. Functional ops live in :mod:`jaxaug.image`.
"""

from jaxaug import image, mix, presets, signal, tabular, train, tta, volume
from jaxaug._base import GeometricTransform, PixelTransform, Transform
from jaxaug._checks import checked
from jaxaug._compose import Compose, OneOf, RandomApply, RandomChoice, batch, fold_in_process
from jaxaug._image_transforms import (
    CenterCrop,
    ColorJitter,
    GaussianBlur,
    Grayscale,
    Normalize,
    RandomCrop,
    RandomErasing,
    RandomGrayscale,
    RandomHorizontalFlip,
    RandomResizedCrop,
    RandomRot90,
    RandomRotation,
    RandomVerticalFlip,
    Resize,
    ScaleIntensityRange,
    ToFloat,
)

__version__ = "0.1.0"

__all__ = [
    "CenterCrop",
    "ColorJitter",
    "Compose",
    "GaussianBlur",
    "GeometricTransform",
    "Grayscale",
    "Normalize",
    "OneOf",
    "PixelTransform",
    "RandomApply",
    "RandomChoice",
    "RandomCrop",
    "RandomErasing",
    "RandomGrayscale",
    "RandomHorizontalFlip",
    "RandomResizedCrop",
    "RandomRot90",
    "RandomRotation",
    "RandomVerticalFlip",
    "Resize",
    "ScaleIntensityRange",
    "ToFloat",
    "Transform",
    "batch",
    "checked",
    "fold_in_process",
    "image",
    "mix",
    "presets",
    "signal",
    "tabular",
    "train",
    "tta",
    "volume",
]
