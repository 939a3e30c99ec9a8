"""Command line: ``python -m jaxaug preview --preset xray --out grid.png``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from jaxaug import presets


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m jaxaug", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser("preview", help="write a PNG grid of an image and augmented views of it")
    from jaxaug import _preview

    choices = sorted({**presets.PRESETS, **_preview.POLICY_PREVIEWS})
    preview.add_argument("--preset", choices=choices, default="xray", help="which pipeline (default: xray)")
    preview.add_argument("--image", help="PNG, JPEG or DICOM file; default: a drawn sample suited to the preset")
    preview.add_argument("--out", default="preview.png", help="where to write the PNG (default: preview.png)")
    preview.add_argument("-n", type=int, default=8, help="number of augmented views (default: 8)")
    preview.add_argument("--seed", type=int, default=0, help="PRNG seed (default: 0)")
    args = parser.parse_args(argv)

    if args.n < 1:
        parser.error(f"-n must be >= 1, got {args.n}")
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


if __name__ == "__main__":
    sys.exit(main())
