"""Command line: ``python -m jaxaug preview --preset xray --out grid.png``; for volumes
``python -m jaxaug preview --preset ct_segmentation`` (a drawn CT phantom) or
``python -m jaxaug preview --preset brain_mri --volume t1.nii.gz [--label mask.nii.gz]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from jaxaug import presets
from jaxaug.volume import presets as volume_presets


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m jaxaug", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser("preview", help="write a PNG grid of an image and augmented views of it")
    from jaxaug import _preview

    choices = sorted({**presets.PRESETS, **_preview.POLICY_PREVIEWS}) + sorted(volume_presets.PRESETS)
    preview.add_argument("--preset", choices=choices, default=None, help="which pipeline (default: xray; brain_mri with --volume)")
    preview.add_argument("--image", help="PNG, JPEG or DICOM file; default: a drawn sample suited to the preset")
    preview.add_argument("--volume", help="NIfTI file (.nii, .nii.gz) for a volume preset; default: a drawn CT or head phantom")
    preview.add_argument("--label", help="NIfTI label for --volume; default: the brightest quarter of the smoothed volume")
    preview.add_argument("--out", default="preview.png", help="where to write the PNG (default: preview.png)")
    preview.add_argument("-n", type=int, default=8, help="number of augmented views (default: 8)")
    preview.add_argument("--seed", type=int, default=0, help="PRNG seed (default: 0)")
    args = parser.parse_args(argv)

    if args.n < 1:
        parser.error(f"-n must be >= 1, got {args.n}")
    if args.volume or args.preset in volume_presets.PRESETS:
        return _preview_volume(parser, args)
    if args.label:
        parser.error("--label goes with --volume")
    args.preset = args.preset or "xray"
    # Glass is white: the pathology preset's rotated-in corners get white, not black.
    if args.preset == "pathology":
        pipeline = presets.pathology_train(fill=255)
    else:
        pipeline = {**presets.PRESETS, **_preview.POLICY_PREVIEWS}[args.preset]()
    if args.image:
        try:
            image = _preview.load_image(args.image)
        except (OSError, ValueError) as err:
            parser.error(f"--image {args.image}: {err}")
        source = args.image
    elif args.preset == "xray":
        image, source = _preview.phantom_chest(), "drawn chest phantom"
    else:
        image, source = _preview.phantom_tissue(), "drawn tissue phantom"
    if args.preset != "xray" and image.shape[-1] == 1:  # ImageNet statistics need RGB
        image = image.repeat(3, axis=-1)
    grid = _preview.preview_grid(pipeline, image, n=args.n, seed=args.seed)
    title = f"preset {args.preset}, seed {args.seed}, {args.n} views\nimage: {source} (red frame: the original)"
    _preview.save_png(_preview.with_title(grid, title), args.out)
    print(f"wrote {args.out}: the original (red frame) and {args.n} views of preset {args.preset!r}")
    return 0


def _preview_volume(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import numpy as np

    from jaxaug import _preview, _preview_volume

    preset = args.preset or ("brain_mri" if args.volume else "ct_segmentation")
    if preset not in volume_presets.PRESETS:
        parser.error(f"--volume needs a volume preset ({', '.join(sorted(volume_presets.PRESETS))}), got {preset!r}")
    if args.image:
        parser.error("--image is for 2-D presets; pass a NIfTI file with --volume")
    if args.volume:
        try:
            volume = _preview_volume.load_volume(args.volume)
            if args.label:
                label = _preview_volume.load_volume(args.label)[..., 0].round().astype(np.int32)
            else:
                label = _preview_volume.threshold_label(volume)
        except (OSError, ValueError, ImportError) as err:
            parser.error(f"--volume {args.volume}{f' --label {args.label}' if args.label else ''}: {err}")
        source = args.volume
    else:
        if args.label:
            parser.error("--label goes with --volume")
        volume, label = _preview_volume.phantom_volume() if preset == "ct_segmentation" else _preview_volume.phantom_brain()
        source = "drawn CT phantom" if preset == "ct_segmentation" else "drawn head phantom"
    if preset == "ct_segmentation":
        pipeline = volume_presets.ct_segmentation(patch_size=tuple(max(1, 3 * s // 4) for s in volume.shape[:3]))
    else:
        pipeline = volume_presets.PRESETS[preset]()
    grid = _preview_volume.volume_preview_grid(pipeline, volume, label, n=args.n, seed=args.seed)
    title = f"preset {preset}, seed {args.seed}, {args.n} draws\nvolume: {source} (red bar: the original; label outlined)"
    _preview.save_png(_preview.with_title(grid, title), args.out)
    print(
        f"wrote {args.out}: mid-slices across axes 0, 1, 2 of the original (red bar) and {args.n} draws "
        f"of preset {preset!r}, label outlined"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
