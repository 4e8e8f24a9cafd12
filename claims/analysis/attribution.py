"""The learned attribution model: a CRF finds cues, a second CRF labels each cue's source and content.

After Pareti et al. (2013) and BBC's citron: cue tagging over each sentence (BIO), then, for every cue,
sequence labelling of the tokens around it as Source, Content or neither, with features relative to the
cue (side, distance, the dependency path between token and cue). Both models are trained on PolNeAR's
train split by `manage.py train_attribution` (tools/training/attribution.py); see data/ATTRIBUTION.md.
Feature strings are tags and single lowercased words or lemmas, never longer runs of text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Token

from claims.analysis import lexicon

DATA_DIR = Path(__file__).resolve().parent / "data"
CUE_MODEL = "attribution-cue.crfsuite"
SPAN_MODEL = "attribution-span.crfsuite"

_QUOTE_MARKS = frozenset({'"', "\u201c", "\u201d", "``", "''", "\u2018", "\u2019"})
_OPENING = frozenset({"\u201c", "``"})
_CLOSING = frozenset({"\u201d", "''"})


@dataclass(frozen=True)
class Attribution:
    """Token indices of one attribution found by the model; source and content may be empty."""

    cue: tuple[int, ...]
    source: tuple[int, ...]
    content: tuple[int, ...]


def _bucket(n: int) -> str:
    if n <= 3:
        return str(n)
    if n <= 5:
        return "4-5"
    if n <= 10:
        return "6-10"
    if n <= 20:
        return "11-20"
    return "21+"


def quote_depths(doc: Doc) -> list[int]:
    """Per token, the number of the quotation it is in (0 outside quotes); marks belong to their quote.

    Straight double quotes alternate open/close within a paragraph; curly ones say which they are.
    """
    out = [0] * len(doc)
    current = 0
    counter = 0
    for tok in doc:
        text = tok.text
        if "\n" in text:
            current = 0
        if text in _OPENING or (text == '"' and current == 0):
            counter += 1
            current = counter
            out[tok.i] = current
            continue
        if text in _CLOSING or (text == '"' and current):
            out[tok.i] = current
            current = 0
            continue
        out[tok.i] = current
    return out


def _subject_kind(tok: Token) -> str:
    for child in tok.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
            if child.pos_ in ("PROPN", "PRON"):
                return child.pos_
            if child.ent_type_:
                return "ent"
            if child.lemma_.lower() in lexicon.ANIMATE_NOUNS:
                return "animate"
            return "other"
    return "none"


def base_features(doc: Doc) -> list[list[str]]:
    """Features of each token on its own: word, lemma, tags, head, quotes, cue lexicon, clause shape."""
    quotes = quote_depths(doc)
    out = []
    for tok in doc:
        lemma = tok.lemma_.lower()
        feats = [
            "w=" + tok.lower_,
            "l=" + lemma,
            "p=" + tok.pos_,
            "t=" + tok.tag_,
            "d=" + tok.dep_,
            "hl=" + tok.head.lemma_.lower(),
            "hp=" + tok.head.pos_,
            "hd=" + tok.head.dep_,
            "e=" + (tok.ent_iob_ + tok.ent_type_ if tok.ent_type_ else "O"),
            "cap=" + ("1" if tok.text[:1].isupper() else "0"),
            "q=" + ("1" if quotes[tok.i] else "0"),
        ]
        if tok.text in _QUOTE_MARKS:
            feats.append("qm")
        if tok.is_punct:
            feats.append("punct=" + tok.text)
        cue = lexicon.CUES.get(lemma)
        if cue is not None:
            feats.append("lex=" + cue.stance)
        if tok.pos_ in ("VERB", "AUX", "NOUN"):
            deps = sorted({c.dep_ for c in tok.children})
            feats.extend("ch=" + d for d in deps)
            if any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children if c.dep_ == "mark") or any(
                c.dep_ == "ccomp" and any(m.dep_ == "mark" for m in c.children) for c in tok.children
            ):
                feats.append("that")
            feats.append("subj=" + _subject_kind(tok))
        if tok.is_sent_start:
            feats.append("bos")
        out.append(feats)
    return out


_CUE_CONTEXT = ("w=", "l=", "p=", "d=", "q=")


def _sentence_ids(doc: Doc) -> list[int]:
    ids = [0] * len(doc)
    for n, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            ids[i] = n
    return ids


def cue_features(doc: Doc, base: list[list[str]] | None = None) -> list[list[str]]:
    """The cue tagger's features: the token's own plus its neighbours' words and tags."""
    base = base if base is not None else base_features(doc)
    sentence = _sentence_ids(doc)
    context = [[f for f in feats if f.startswith(_CUE_CONTEXT)] for feats in base]
    out = []
    n = len(doc)
    for i in range(n):
        feats = list(base[i])
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < n and sentence[j] == sentence[i]:
                feats.extend(f"{offset}:{f}" for f in context[j])
            else:
                feats.append(f"{offset}:none")
        out.append(feats)
    return out


def span_window(doc: Doc, cue: Sequence[int]) -> list[int]:
    """Tokens the span tagger labels for a cue: its sentence and the sentences either side."""
    sent = doc[cue[0]].sent
    start, end = sent.start, sent.end
    if start > 0:
        start = doc[start - 1].sent.start
    if end < len(doc):
        end = doc[end].sent.end
    return [i for i in range(start, end) if not doc[i].is_space]


def _ancestors(tok: Token) -> list[int]:
    chain = [tok.i]
    while tok.head.i != tok.i and len(chain) < 60:
        tok = tok.head
        chain.append(tok.i)
    return chain


_SPAN_OWN = ("w=", "l=", "p=", "t=", "d=", "e=", "q=", "qm", "punct=", "cap=", "bos")


def span_features(
    doc: Doc, base: list[list[str]], cue: Sequence[int], window: Sequence[int], quotes: list[int] | None = None
) -> list[list[str]]:
    """The span tagger's features for each window token, relative to the cue."""
    quotes = quotes if quotes is not None else quote_depths(doc)
    cue_set = set(cue)
    head = next((doc[i] for i in cue if doc[i].head.i not in cue_set or doc[i].head.i == i), doc[cue[0]])
    cue_lemma = "+".join(doc[i].lemma_.lower() for i in cue)[:40]
    cue_quote = quotes[head.i]
    head_chain = _ancestors(head)
    head_pos = {i: depth for depth, i in enumerate(head_chain)}
    sent_start, sent_end = head.sent.start, head.sent.end
    first, last = min(cue), max(cue)
    out = []
    for i in window:
        tok = doc[i]
        feats = [f for f in base[i] if f.startswith(_SPAN_OWN)]
        for offset in (-1, 1):
            j = i + offset
            if 0 <= j < len(doc):
                feats.extend(f"{offset}:{f}" for f in base[j] if f.startswith(("w=", "p=", "qm")))
        if i in cue_set:
            rel = "cue"
            dist = "0"
        elif i < first:
            rel, dist = "before", _bucket(first - i)
        else:
            rel, dist = "after", _bucket(i - last)
        where = "same" if sent_start <= i < sent_end else ("prev" if i < sent_start else "next")
        feats.extend(("rel=" + rel, "dist=" + dist, "rd=" + rel + dist, "sent=" + where))
        # The dependency path between token and cue: which branch of the cue holds it, or where they meet.
        chain = _ancestors(tok)
        meet = next(((n, head_pos[a]) for n, a in enumerate(chain) if a in head_pos), None)
        if meet is None:
            path = "none"
        elif meet[1] == 0:
            path = "dom:" + (doc[chain[meet[0] - 1]].dep_ if meet[0] > 0 else "self")
        elif meet[0] == 0:
            path = "anc:" + _bucket(meet[1])
        else:
            path = f"lca:{_bucket(meet[1])}:{doc[chain[meet[0] - 1]].dep_}"
        feats.extend(("path=" + path, "pr=" + path + "|" + rel, "cl=" + cue_lemma, "clr=" + cue_lemma + "|" + rel))
        feats.append("clp=" + cue_lemma + "|" + path)
        if quotes[i]:
            feats.append("qs=" + ("same" if quotes[i] == cue_quote else "other") + "|" + rel)
        elif cue_quote:
            feats.append("qs=outofcue")
        out.append(feats)
    return out


def _decode_cues(tags: Sequence[str], indices: Sequence[int]) -> list[list[int]]:
    cues: list[list[int]] = []
    previous = "O"
    for tag, i in zip(tags, indices, strict=True):
        if tag == "B" or (tag == "I" and previous == "O"):
            cues.append([i])
        elif tag == "I":
            cues[-1].append(i)
        previous = tag
    return cues


class AttributionModel:
    """The two trained taggers; `find(doc)` gives the attributions of a parsed document."""

    def __init__(self, cue_path: Path, span_path: Path) -> None:
        import pycrfsuite

        self.cue_tagger = pycrfsuite.Tagger()
        self.cue_tagger.open(str(cue_path))
        self.span_tagger = pycrfsuite.Tagger()
        self.span_tagger.open(str(span_path))

    def cues(self, doc: Doc, base: list[list[str]]) -> list[list[int]]:
        features = cue_features(doc, base)
        found: list[list[int]] = []
        for sent in doc.sents:
            idx = [t.i for t in sent if not t.is_space]
            if idx:
                found.extend(_decode_cues(self.cue_tagger.tag([features[i] for i in idx]), idx))
        return found

    def find(self, doc: Doc) -> list[Attribution]:
        base = base_features(doc)
        quotes = quote_depths(doc)
        out = []
        for cue in self.cues(doc, base):
            window = span_window(doc, cue)
            tags = self.span_tagger.tag(span_features(doc, base, cue, window, quotes))
            source = tuple(i for i, tag in zip(window, tags, strict=True) if tag == "S" and i not in cue)
            content = tuple(i for i, tag in zip(window, tags, strict=True) if tag == "C" and i not in cue)
            out.append(Attribution(cue=tuple(cue), source=source, content=content))
        return out


_model_dir = DATA_DIR


@lru_cache(maxsize=1)
def get_model() -> AttributionModel:
    """The shipped model, loaded once per process from claims/analysis/data/."""
    return AttributionModel(_model_dir / CUE_MODEL, _model_dir / SPAN_MODEL)


def use_model_dir(directory: Path | None) -> None:
    """Load the model from another folder from now on (a freshly trained one); None goes back to data/."""
    global _model_dir
    _model_dir = Path(directory) if directory is not None else DATA_DIR
    get_model.cache_clear()
