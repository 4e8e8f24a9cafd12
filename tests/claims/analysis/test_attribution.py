"""The shipped attribution model: it loads from the package and reads invented sentences."""

from __future__ import annotations

from claims.analysis import analyse
from claims.analysis.attribution import DATA_DIR, get_model, quote_depths
from claims.analysis.nlp import get_nlp


def _found(text: str) -> list[tuple[str, str, str]]:
    """(cue, source, content) words of each attribution the model finds, in reading order."""
    doc = get_nlp()(text)
    return [
        (
            " ".join(doc[i].text for i in a.cue),
            " ".join(doc[i].text for i in a.source),
            " ".join(doc[i].text for i in a.content),
        )
        for a in get_model().find(doc)
    ]


def test_quote_depths_number_each_quotation_and_include_its_marks():
    doc = get_nlp()("He said “no way” and then “fine”.")
    assert [(t.text, d) for t, d in zip(doc, quote_depths(doc), strict=True)] == [
        ("He", 0),
        ("said", 0),
        ("“", 1),
        ("no", 1),
        ("way", 1),
        ("”", 1),
        ("and", 0),
        ("then", 0),
        ("“", 2),
        ("fine", 2),
        ("”", 2),
        (".", 0),
    ]


def test_model_files_are_shipped_and_small():
    sizes = {p.name: p.stat().st_size for p in DATA_DIR.glob("attribution-*.crfsuite")}
    assert sorted(sizes) == ["attribution-cue.crfsuite", "attribution-span.crfsuite"]
    assert all(0 < size < 30_000_000 for size in sizes.values())


def test_model_features_are_single_words_or_tags(tmp_path):
    """The weights hold feature strings, never runs of corpus text (data/ATTRIBUTION.md)."""
    import re

    import pycrfsuite

    for name in ("attribution-cue.crfsuite", "attribution-span.crfsuite"):
        tagger = pycrfsuite.Tagger()
        tagger.open(str(DATA_DIR / name))
        tagger.dump(str(tmp_path / "dump.txt"))
        dump = (tmp_path / "dump.txt").read_text(encoding="utf-8", errors="replace")
        # A layout token's value is whitespace itself ("w=\n\n"), so attributes may span dump lines.
        attributes = set(re.findall(r"\(\d+\) (.+?) --> \w+: [-+]?\d", dump, flags=re.DOTALL))
        assert len(attributes) > 1000
        values = {a.split("=", 1)[1] if "=" in a else a for a in attributes}
        multiword = [v for v in values if v.strip() and len(v.split()) > 1]
        assert multiword == []
        assert max(len(v) for v in values) <= 80
