"""jaxaug: data augmentation for JAX and Flax.

Random transforms are named and defaulted like ``torchvision.transforms.v2`` and called with a
PRNG key first: ``t(key, image)`` for one (H, W, C) image, ``ja.batch(t)(key, images)`` for a
batch with one independent draw per example. Functional ops live in :mod:`jaxaug.image`.
"""

from jaxaug import image, mix, presets, signal, tabular, train, tta, volume
from jaxaug._affine_transforms import ElasticTransform, Pad, RandomAffine, RandomPerspective, RandomZoomOut
from jaxaug._base import GeometricTransform, PixelTransform, Transform
from jaxaug._checks import checked
from jaxaug._compose import Compose, OneOf, RandomApply, RandomChoice, batch, fold_in_process
from jaxaug._config import fingerprint, from_config, load, save, to_config
from jaxaug._describe import describe, write_description
from jaxaug._targets import BoundingBoxes, KeyPoints, Sample
from jaxaug._policies import AugMix, AutoAugment, RandAugment, TrivialAugmentWide
from jaxaug._photometric_transforms import (
    GaussianNoise,
    RandomChannelPermutation,
    RandomPhotometricDistort,
    RandomAdjustSharpness,
    RandomAutocontrast,
    RandomEqualize,
    RandomInvert,
    RandomPosterize,
    RandomSolarize,
)
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
    "AugMix",
    "AutoAugment",
    "BoundingBoxes",
    "CenterCrop",
    "ColorJitter",
    "Compose",
    "ElasticTransform",
    "GaussianBlur",
    "GaussianNoise",
    "GeometricTransform",
    "Grayscale",
    "KeyPoints",
    "Normalize",
    "OneOf",
    "Pad",
    "PixelTransform",
    "RandAugment",
    "RandomAdjustSharpness",
    "RandomAffine",
    "RandomApply",
    "RandomAutocontrast",
    "RandomChannelPermutation",
    "RandomChoice",
    "RandomCrop",
    "RandomEqualize",
    "RandomErasing",
    "RandomGrayscale",
    "RandomHorizontalFlip",
    "RandomInvert",
    "RandomPerspective",
    "RandomPhotometricDistort",
    "RandomPosterize",
    "RandomResizedCrop",
    "RandomRot90",
    "RandomRotation",
    "RandomSolarize",
    "RandomVerticalFlip",
    "RandomZoomOut",
    "Resize",
    "Sample",
    "ScaleIntensityRange",
    "ToFloat",
    "Transform",
    "TrivialAugmentWide",
    "batch",
    "checked",
    "describe",
    "fingerprint",
    "fold_in_process",
    "from_config",
    "image",
    "load",
    "mix",
    "presets",
    "save",
    "signal",
    "tabular",
    "to_config",
    "train",
    "tta",
    "volume",
    "write_description",
]
