"""`manage.py train_attribution TRAIN_DIR`: rebuild the attribution model from PolNeAR brat files."""

from __future__ import annotations

import os

# One thread: the same figures and the same weights on any machine, and fair to a shared one.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import hashlib  # noqa: E402 -- after the thread settings above
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from django.core.management.base import BaseCommand, CommandError, CommandParser  # noqa: E402

from claims.analysis.attribution import CUE_MODEL, DATA_DIR, SPAN_MODEL  # noqa: E402
from claims.analysis.extract import MODES  # noqa: E402


class Command(BaseCommand):
    help = (
        "Train the attribution model (cue tagger and source/content tagger, CRFs) on a PolNeAR split in brat "
        "standoff (text/*.txt, attributions/*.ann) and write it to claims/analysis/data/; with --dev, print the "
        "dev figures of the model alone and of the model combined with the rules."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("train_dir", type=Path, help="split to train on, e.g. ../shared/eval/polnear/train")
        parser.add_argument("--dev", type=Path, help="split to report figures on, e.g. ../shared/eval/polnear/dev")
        parser.add_argument("--out", type=Path, default=DATA_DIR, help="folder for the two model files")
        parser.add_argument("--cache", type=Path, help="folder to keep spaCy parses in between runs (optional)")
        parser.add_argument("--jobs", type=int, choices=(1, 2), default=2, help="train the two taggers side by side")

    def handle(self, *args: Any, **options: Any) -> None:
        from tools.training.attribution import attribution_train, dev_figures, figures_line

        # call_command passes keyword options through as given, so paths are converted here.
        for key in ("train_dir", "dev", "out", "cache"):
            if options[key] is not None:
                options[key] = Path(options[key])
        for split in [options["train_dir"], options["dev"]]:
            if split is not None and not (Path(split) / "text").is_dir():
                raise CommandError(f"{split} has no text/ folder: expected a brat split (text/, attributions/)")
        if options["dev"] is not None and Path(options["dev"]).resolve() == Path(options["train_dir"]).resolve():
            raise CommandError("--dev must be another split than the one trained on")
        out: Path = options["out"]
        counts = attribution_train(
            train_dir=options["train_dir"],
            out_dir=out,
            cache_dir=options["cache"],
            jobs=options["jobs"],
            log=self.stdout.write,
        )
        for name in (CUE_MODEL, SPAN_MODEL):
            data = (out / name).read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:16]
            self.stdout.write(f"{out / name}: {len(data) / 1e6:.1f} MB, sha256 {digest}")
        self.stdout.write(f"trained on {counts['cue_sentences']} sentences, {counts['span_windows']} cue windows")
        if options["dev"] is not None:
            figures = dev_figures(
                dev_dir=options["dev"],
                model_dir=out,
                modes=MODES,
                cache_dir=options["cache"],
                log=self.stdout.write,
            )
            self.stdout.write(f"dev ({options['dev']}):")
            for mode, result in figures.items():
                self.stdout.write("  " + figures_line(mode, result))
