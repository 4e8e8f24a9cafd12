"""Blocks of a text (the headline, each paragraph): no sentence, statement or claim crosses a blank line.

Each block is parsed on its own and the parses are joined into one Doc over the whole text, so offsets stay
those of the text. Telling the parser where sentences start is not enough: with a preset start it still
runs a headline into the next line or splits the line's first name off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

# A blank line ends a block: extraction separates the paragraphs (and the headline, where a text gives it
# first) by one. A single line break is kept inside the block: pasted and wire texts wrap sentences.
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def block_chunks(text: str) -> list[str]:
    """The text cut after each blank line; the chunks joined give the text back exactly."""
    chunks, start = [], 0
    for match in _BLANK_LINE.finditer(text):
        chunks.append(text[start : match.end()])
        start = match.end()
    if start < len(text) or not chunks:
        chunks.append(text[start:])
    return chunks


def parse_blocks(nlp: Language, texts: Iterable[str], *, batch_size: int = 64) -> Iterator[Doc]:
    """One Doc per text, each block parsed on its own: sentences end at every blank line."""
    texts = list(texts)
    chunked = [block_chunks(text) for text in texts]
    flat = (chunk for chunks in chunked for chunk in chunks)
    parsed = nlp.pipe(flat, batch_size=batch_size)
    for text, chunks in zip(texts, chunked, strict=True):
        docs = [next(parsed) for _ in chunks]
        doc = docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)
        if doc.text != text:  # never expected: the chunks give the text back exactly
            raise ValueError("block parsing changed the text")
        yield doc


def block_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each block of the text, spaces trimmed."""
    spans, offset = [], 0
    for chunk in block_chunks(text):
        start, end = offset, offset + len(chunk)
        offset = end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def crosses_break(text: str, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether any span runs over a blank line."""
    return any(_BLANK_LINE.search(text[start:end]) for start, end in spans)
