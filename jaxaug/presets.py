"""Ready pipelines per modality, each with what it allows and why.

Each function returns a :class:`jaxaug.Compose` for one (H, W, C) image, uint8 or float in
[0, 1]; ``ja.batch(preset)(key, images)`` runs it on a batch with a draw per example. The
defaults are the torchvision pipelines they port, so a model trained with them sees what it
saw before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from jaxaug._compose import Compose
from jaxaug._image_transforms import (
    CenterCrop,
    ColorJitter,
    Normalize,
    RandomCrop,
    RandomErasing,
    RandomHorizontalFlip,
    RandomResizedCrop,
    RandomRotation,
    RandomVerticalFlip,
    Resize,
    ToFloat,
)

__all__ = ["IMAGENET_MEAN", "IMAGENET_STD", "PRESETS", "eval_transform", "imagenet_train", "pathology_train", "xray_train"]

#: The ImageNet per-channel mean (RGB, [0, 1] units) that torchvision's pretrained models expect.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
#: The ImageNet per-channel standard deviation (RGB, [0, 1] units).
IMAGENET_STD = (0.229, 0.224, 0.225)


def xray_train(size: int = 224, resize: int = 256, hflip_p: float = 0.5) -> Compose:
    """Chest X-ray training: mild crop, flip, small rotation, brightness and contrast.

    Resize(256), RandomResizedCrop(224, scale=(0.8, 1.0)), RandomHorizontalFlip(0.5),
    RandomRotation(10), ColorJitter(brightness=0.1, contrast=0.1), ToFloat, Normalize([0.5], [0.5]).

    Safety for chest radiographs:
      - Allowed: crops that keep >= 80% of the field (findings at the edges stay in view),
        rotations within 10 degrees (patient positioning), mild exposure and contrast changes
        (scanners differ).
      - Horizontal flip (on by default, as in the ported pipeline): it moves the heart to the
        right, mimicking dextrocardia, and mirrors laterality markers. Harmless for
        presence/absence labels (pneumonia, effusion); set ``hflip_p=0`` for anything that
        depends on side (left vs right findings, situs, device position).
      - Not included, and not safe: vertical flip (puts the diaphragm on top), hue and
        saturation (radiographs are gray), large rotations, erasing (can remove the finding).

    Args:
      size: output side (static). resize: shorter side before cropping (static).
      hflip_p: probability of a horizontal flip.

    Returns:
      A Compose mapping (H, W, C) -> (size, size, C) float32, normalised to about [-1, 1].

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.presets.xray_train()(jax.random.key(0), jnp.zeros((300, 300, 1), jnp.uint8)).shape
      (224, 224, 1)
    """
    return Compose(
        [
            Resize(resize),
            RandomResizedCrop(size, scale=(0.8, 1.0)),
            RandomHorizontalFlip(p=hflip_p),
            RandomRotation(degrees=10),
            ColorJitter(brightness=0.1, contrast=0.1),
            ToFloat(),
            Normalize(mean=[0.5], std=[0.5]),
        ]
    )


def pathology_train(size: int = 224, resize: int = 256, fill: float | Sequence[float] = 0) -> Compose:
    """Histopathology tiles: any orientation, stain-like colour variation.

    Resize(256), RandomCrop(224), RandomHorizontalFlip, RandomVerticalFlip,
    RandomRotation(90, fill=fill), ColorJitter(0.2, 0.2, 0.2, 0.05), ToFloat,
    Normalize(ImageNet mean, std).

    Safety for H&E tiles:
      - Allowed: every flip and rotation (tissue on a slide has no up or left), moderate
        brightness/contrast/saturation and a small hue shift (staining and scanners vary).
      - The rotation is continuous: ``RandomRotation(90)`` draws any angle in [-90, 90]
        degrees, as the ported pipeline's code did, although its comment promised "full
        90-degree steps". A turn by an angle that is not a multiple of 90 degrees is
        interpolated and leaves the corners outside the tile; they get `fill`. The default 0 is
        black, which glass never is: pass ``fill=255`` (uint8 tiles) or ``fill=1.0`` (float
        tiles in [0, 1]) for white, as the preview does. What the comment described is
        ``ja.RandomRot90()``: 0, 90, 180 or 270 degrees, exact, no interpolation and no fill
        (square tiles); swap it in where training with the seed's rotations is not required.
      - Keep hue small (<= 0.05): larger shifts turn eosin pink into colours that no stain gives,
        and can erase the colour cues of some findings.

    Args:
      size: output side (static).
      resize: shorter side before cropping (static).
      fill: the value given to the rotated-in corners, in the input's units (255 is white for
        uint8, 1.0 for float); one number or one per channel (static).

    Returns:
      A Compose mapping (H, W, 3) -> (size, size, 3) float32, ImageNet-normalised.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> tile = jnp.full((256, 256, 3), 255, jnp.uint8)       # white glass
      >>> pipeline = ja.presets.pathology_train(fill=255)
      >>> view = pipeline(jax.random.key(0), tile)
      >>> view.shape
      (224, 224, 3)
      >>> mean, std = jnp.array(ja.presets.IMAGENET_MEAN), jnp.array(ja.presets.IMAGENET_STD)
      >>> bool(((view * std + mean) > 0.5).all())              # no black corners
      True
    """
    return Compose(
        [
            Resize(resize),
            RandomCrop(size),
            RandomHorizontalFlip(),
            RandomVerticalFlip(),
            RandomRotation(degrees=90, fill=fill),
            ColorJitter(0.2, 0.2, 0.2, 0.05),
            ToFloat(),
            Normalize(mean=IMAGENET_MEAN, std=IMAGENET_STD),
        ]
    )


def imagenet_train(size: int = 224) -> Compose:
    """Natural-image training, the ImageNet recipe with random erasing.

    RandomResizedCrop(224), RandomHorizontalFlip, ColorJitter(0.4, 0.4, 0.4, 0.1), ToFloat,
    Normalize(ImageNet mean, std), RandomErasing(p=0.5).

    Safety: for photographs (dermoscopy, fundus, endoscopy photographs only with care). Not for
    radiographs or pathology: crops down to 8% of the image can cut the finding out, and the
    colour jitter is strong.

    Args:
      size: output side (static).

    Returns:
      A Compose mapping (H, W, 3) -> (size, size, 3) float32.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.presets.imagenet_train()(jax.random.key(0), jnp.zeros((256, 256, 3), jnp.uint8)).shape
      (224, 224, 3)
    """
    return Compose(
        [
            RandomResizedCrop(size),
            RandomHorizontalFlip(),
            ColorJitter(0.4, 0.4, 0.4, 0.1),
            ToFloat(),
            Normalize(mean=IMAGENET_MEAN, std=IMAGENET_STD),
            RandomErasing(p=0.5),
        ]
    )


def eval_transform(
    size: int = 224,
    resize: int = 256,
    mean: Sequence[float] = IMAGENET_MEAN,
    std: Sequence[float] = IMAGENET_STD,
) -> Compose:
    """Evaluation: deterministic resize and centre crop; the key is ignored.

    Resize(256), CenterCrop(224), ToFloat, Normalize(mean, std). Use ``mean=[0.5], std=[0.5]``
    to match ``xray_train``.

    Args:
      size: output side (static). resize: shorter side before cropping (static).
      mean, std: per-channel normalisation (static).

    Returns:
      A Compose mapping (H, W, C) -> (size, size, C) float32.

    Example:
      >>> import jax, jax.numpy as jnp, jaxaug as ja
      >>> ja.presets.eval_transform()(jax.random.key(0), jnp.zeros((300, 400, 3), jnp.uint8)).shape
      (224, 224, 3)
    """
    return Compose([Resize(resize), CenterCrop(size), ToFloat(), Normalize(mean=mean, std=std)])


#: The presets by the names ``python -m jaxaug preview --preset`` takes.
PRESETS: dict[str, Callable[[], Compose]] = {
    "xray": xray_train,
    "pathology": pathology_train,
    "imagenet": imagenet_train,
    "eval": eval_transform,
}
