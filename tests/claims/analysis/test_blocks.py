"""The headline and each paragraph are blocks: no sentence, statement or claim crosses a blank line."""

from __future__ import annotations

import re

from claims.analysis import analyse
from claims.analysis.blocks import block_chunks, block_spans, crosses_break, parse_blocks
from claims.analysis.nlp import get_nlp

TEXT = (
    "No night flights at Velden airport\n\n"
    "Velden Airways, the state-run carrier, said on Monday it has no plans to resume night flights.\n"
    "The decision follows complaints from residents.\n\n"
    "The head of the pilots’ union said the decision was wrong and “we will not accept it.\n\n"
    "“Never,” he said."
)


def test_chunks_give_the_text_back_and_blocks_are_the_paragraphs():
    assert "".join(block_chunks(TEXT)) == TEXT
    assert [TEXT[s:e] for s, e in block_spans(TEXT)][:2] == [
        "No night flights at Velden airport",
        "Velden Airways, the state-run carrier, said on Monday it has no plans to resume night flights.\n"
        "The decision follows complaints from residents.",
    ]


def test_no_sentence_crosses_a_blank_line_and_offsets_are_the_texts():
    doc = next(parse_blocks(get_nlp(), [TEXT]))
    assert doc.text == TEXT
    sentences = [s.text.strip() for s in doc.sents]
    assert sentences[0] == "No night flights at Velden airport"
    assert not any(re.search(r"\n\s*\n", s) for s in sentences)


def test_no_statement_runs_the_headline_into_the_body_or_across_paragraphs():
    statements = analyse(TEXT, [])
    assert statements
    for s in statements:
        spans = [(c.start, c.end) for c in [*s.cue, *s.content]] + ([(s.speaker.start, s.speaker.end)]
                                                                     if s.speaker else [])
        assert not crosses_break(TEXT, spans), s
        assert not any(TEXT[c.start:c.end].startswith("No night flights") for c in s.content)
    assert statements[0].speaker.text == "Velden Airways, the state-run carrier"
