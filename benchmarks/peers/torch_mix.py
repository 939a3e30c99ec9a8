"""torchvision v2 MixUp/CutMix and timm's Mixup."""

from __future__ import annotations

from harness import SIZE, Config, Row, bench_eager, guarded, skipped

NAME = "torchmix"
ORDER = 90  # position in the run and the table's tie-break


def run(cfg: Config, pipelines: tuple[str, ...]) -> list[Row]:
    """torchvision v2 MixUp/CutMix (one lambda per batch) and timm Mixup (mode='elem', per example)."""
    try:
        import torch
    except ImportError:
        return [skipped("mixup/cutmix", "torch peers", "torch not installed")]
    x = torch.rand(cfg.batch, 3, SIZE, SIZE)
    y = torch.arange(cfg.batch) % 1000
    rows = []
    try:
        from torchvision.transforms import v2

        for op, make in (("mixup", lambda: v2.MixUp(alpha=0.4, num_classes=1000)), ("cutmix", lambda: v2.CutMix(alpha=1.0, num_classes=1000))):
            name = f"{op} (batch)"
            mixer = make()
            rows.append(guarded(name, "torchvision v2", lambda: bench_eager(name, "torchvision v2", lambda: mixer(x, y), cfg.batch, cfg)))
    except ImportError:
        rows.append(skipped("mixup/cutmix", "torchvision v2", "torchvision not installed"))
    try:
        from timm.data import Mixup

        for op, alphas in (("mixup", (0.4, 0.0)), ("cutmix", (0.0, 1.0))):
            for label, timm_mode in (("batch", "batch"), ("per example", "elem")):
                name = f"{op} ({label})"
                mixer = Mixup(mixup_alpha=alphas[0], cutmix_alpha=alphas[1], mode=timm_mode, label_smoothing=0.0, num_classes=1000)
                # timm mixes in place; give it a fresh copy each call (the copy is timed too).
                rows.append(guarded(name, "timm Mixup", lambda: bench_eager(name, "timm Mixup", lambda: mixer(x.clone(), y), cfg.batch, cfg, f"mode={timm_mode!r}; includes a batch copy")))
    except ImportError:
        rows.append(skipped("mixup/cutmix", "timm Mixup", "timm not installed"))
    return rows


# --- report ---------------------------------------------------------------------------------
