"""The shipped attribution model: it loads from the package and reads invented sentences."""

from __future__ import annotations

import numpy as np

from claims.analysis import analyse
from claims.analysis.attribution import DATA_DIR, DocFeatures, LemmaClusters, fit_clusters, get_model, quote_depths
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


def test_lemma_clusters_put_a_word_with_its_nearest_centroid():
    centroids = fit_clusters(["say", "tell", "claim", "banana", "apple", "cherry"], 2)
    clusters = LemmaClusters(centroids)
    fruit, speech = clusters.assign(["pear", "state"])
    assert clusters.assign(["banana", "apple"]) == [fruit, fruit]
    assert clusters.assign(["say", "tell"]) == [speech, speech]
    assert fruit != speech


def test_without_clusters_the_features_carry_none():
    doc = get_nlp()("The mayor said help was coming.")
    assert not any(f.startswith(("k=", "hk=")) for feats in DocFeatures(doc).base for f in feats)
    clustered = DocFeatures(doc, LemmaClusters(np.eye(256, dtype=np.float32)[:3])).base
    said = next(feats for feats, tok in zip(clustered, doc, strict=True) if tok.text == "said")
    assert any(f.startswith("k=") for f in said)


def test_model_files_are_shipped_and_small():
    sizes = {p.name: p.stat().st_size for p in DATA_DIR.glob("attribution-*.crfsuite")}
    assert sorted(sizes) == ["attribution-cue.crfsuite", "attribution-span.crfsuite"]
    assert all(0 < size < 30_000_000 for size in sizes.values())
    assert get_model().clusters is not None  # data/attribution-clusters.npy ships beside them


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


def test_model_reads_speaker_cue_and_content_of_an_indirect_report():
    assert _found("The harbour master said on Monday that the ferry would sail at noon.") == [
        ("said", "The harbour master", "that the ferry would sail at noon"),
    ]


def test_model_reads_according_to_with_the_content_before_it():
    assert _found("The ferry will sail at noon, according to the harbour master.") == [
        ("according to", "the harbour master", "The ferry will sail at noon"),
    ]


def test_model_reads_a_quotation_before_its_speaker():
    assert _found("“We are not leaving,” the union leader told reporters.") == [
        ("told", "the union leader", "“ We are not leaving , ”"),
    ]


def test_analyse_adds_the_cues_only_the_model_finds():
    """An attitude predicate outside the verb lexicon: the rules miss it, the model reports it."""
    summary = [
        (s.speaker.text if s.speaker else None, [c.text for c in s.cue], [c.text for c in s.content], s.extra)
        for s in analyse("The union leader hopes the ferry will sail again by spring.", [])
    ]
    assert summary == [
        ("The union leader", ["hopes"], ["the ferry will sail again by spring"], {"origin": "model"}),
    ]


def test_analyse_keeps_the_rules_reading_where_both_find_the_cue():
    [statement] = analyse("Residents worry that the bridge is unsafe.", [])
    assert (statement.extra, statement.content[0].text) == ({"origin": "rules"}, "that the bridge is unsafe")
