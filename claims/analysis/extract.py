"""Find attributed statements in news text with dependency rules over a spaCy parse."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from claims.analysis import lexicon, speakers
from claims.analysis.blocks import parse_blocks
from claims.analysis.confidence import calibrated
from claims.analysis.nlp import get_nlp
from claims.analysis.parties import PartyResolver, name_tokens, proposed_name
from claims.analysis.records import ExtractedStatement, KnownParty, TextSpan
from claims.analysis.wording import claim_wording
from core.stages import pipeline_stage

_TRIM_CHARS = " \t\n\r,;:.-\u2013\u2014"
_OPEN_QUOTES = {"\u201c": "\u201d", "``": "''"}
_ANIMATE_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_SUBJECTS = ("nsubj", "csubj")
_INHERIT_DEPS = ("conj", "xcomp", "advcl")
# Time and manner phrases are not content: "said on Tuesday", "said in a statement".
_NON_CONTENT_PREPS = frozenset({"in", "on", "at", "during", "after", "before", "since", "by", "with", "from", "to"})


@dataclass
class _Candidate:
    """A statement before its speaker is resolved to a party."""

    cue_tokens: list[Token]
    source_heads: list[Token]
    source_span: tuple[int, int] | None
    content: list[tuple[int, int]]
    stance: str
    direct: bool
    anaphoric: bool = False
    target: Token | None = None
    reciprocal: bool = False
    confidence: float = 0.8
    content_root: Token | None = None
    # Found by layout alone ("NAME: ..." lines, sign-offs): the name must be a name, not a page label.
    layout: bool = False
    # Which finder proposed it: "rules" or "model" (the learned attribution model).
    origin: str = "rules"
    # "the ministry, which said ...": the source is the relative pronoun (as PolNeAR marks it); this is where the
    # text names who that is, for the speaker an analyst reads.
    named_span: tuple[int, int] | None = None


# A blank-line block and the label before a colon at its start, if any ("Correction: An earlier version ...").
_BLOCK = re.compile(
    r"(?:^|(?<=\n\n))[ \t]*(?:(?P<label>[A-Za-z][A-Za-z'\u2019 ]{0,24}?)[ \t]*:)?[^\n]*(?:\n(?![ \t]*\n)[^\n]*)*"
)


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of quoted passages, quote marks included."""
    regions: list[tuple[int, int]] = []
    pattern = re.compile(
        # A curly quotation may wrap a line but never runs over a blank line (a paragraph break).
        r"\u201c(?:[^\u201c\u201d\n]|\n(?![ \t]*\n)){1,2000}?\u201d|"
        r"\"[^\"\n]{1,2000}?\"|''(?:[^'\n]|'(?!')){1,2000}?''|``[^`\n]{1,2000}?''"
    )
    for match in pattern.finditer(text):
        regions.append((match.start(), match.end()))
    return regions


_NAME = r"[A-Z][\w.'\u2019-]*(?:[ \t]+(?:[A-Z][\w.'\u2019-]*|of|de|van|von))" + "{0,3}"
# "PENCE: Well, ..." in transcripts and "Poll: Voters ..." in headlines.
_SPEAKER_LINE = re.compile(rf"(?m)^[\"\u201c]?(?P<name>{_NAME})(?P<colon>:)[ \t]+(?P<content>\S[^\n]*)")
# '“...” ― Karen Bobadilla': a sign-off naming who wrote the quote.
_SIGN_OFF = re.compile(rf"[ \t.]*(?P<dash>[\u2015\u2014])[ \t]*(?P<name>{_NAME})")
_QUOTE_THEN_SPEAKER = re.compile(
    r",?[ \t]*(?P<name>(?:(?:the|a|an|[A-Za-z][\w.'\u2019-]*)[ \t]+){0,6}[A-Z][\w.'\u2019-]*)[ \t]+"
    r"(?P<verb>said|says|added|told|wrote|asked|explained|continued)\b"
)


class _Quotes:
    """Looks up which quoted passage, if any, covers a character range."""

    def __init__(self, text: str) -> None:
        self.regions = quote_regions(text)

    def covering(self, start: int, end: int) -> tuple[int, int] | None:
        for q_start, q_end in self.regions:
            if q_start <= start and end <= q_end:
                return (q_start, q_end)
        return None

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        return [(s, e) for s, e in self.regions if s < end and start < e]


def _span_of(tokens: Iterable[Token]) -> tuple[int, int] | None:
    toks = [t for t in tokens if not t.is_space]
    if not toks:
        return None
    start = min(t.idx for t in toks)
    end = max(t.idx + len(t.text) for t in toks)
    return (start, end)


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = span
    while start < end and text[start] in _TRIM_CHARS:
        start += 1
    while end > start and text[end - 1] in _TRIM_CHARS:
        end -= 1
    # A leading conjunction belongs to the sentence, not the reported words.
    for word in ("and ", "but ", "or "):
        if text[start:end].lower().startswith(word):
            start += len(word)
    return (start, end) if end > start else None


def _subtree_without(head: Token, excluded: Iterable[Token]) -> list[Token]:
    banned: set[int] = set()
    for tok in excluded:
        banned.update(t.i for t in tok.subtree)
    return [t for t in head.subtree if t.i not in banned]


def _segments(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Contiguous runs of the given tokens as character spans."""
    ordered = sorted(tokens, key=lambda t: t.i)
    runs: list[list[Token]] = []
    for tok in ordered:
        if runs and tok.i == runs[-1][-1].i + 1:
            runs[-1].append(tok)
        else:
            runs.append([tok])
    spans = []
    for run in runs:
        span = _span_of(run)
        if span:
            spans.append(span)
    return spans


def _mention_tokens(head: Token) -> list[Token]:
    """The words naming one speaker, without its conjuncts, clauses and appositions."""
    excluded = [
        c
        for c in head.children
        if c.dep_ in ("conj", "cc", "appos", "relcl", "acl", "punct", "advcl", "preconj", "npadvmod")
        or (c.dep_ == "prep" and c.lower_ != "of")
    ]
    return _subtree_without(head, excluded)


def _mention_text(doc: Doc, head: Token) -> str:
    """The speaker's words as written (hyphens and apostrophes intact), for name look-up."""
    span = _span_of(_mention_tokens(head))
    return doc.text[span[0] : span[1]] if span else head.text


def _subject_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            return child
    return None


_RELATIVES = frozenset({"who", "which", "that"})


def _find_source(verb: Token) -> tuple[Token | None, str]:
    """Subject of the cue verb, climbing through coordination and control ("and threatened to")."""
    current = verb
    for _ in range(4):
        subject = _subject_of(current)
        if subject is not None:
            if subject.dep_ == "expl" or subject.lower_ in ("there",):
                return None, ""
            if subject.lower_ in _RELATIVES and current.dep_ == "relcl":
                return current.head, "relative"
            return subject, "subject"
        for child in current.children:
            if child.dep_ == "nsubjpass":
                for agent in current.children:
                    if agent.dep_ == "agent":
                        for pobj in agent.children:
                            if pobj.dep_ == "pobj":
                                return pobj, "agent"
                return None, ""
        if current.dep_ == "advcl" and current.tag_ != "VBG":
            return None, ""
        if current.dep_ in _INHERIT_DEPS and current.head.pos_ == "VERB" and current.head is not current:
            # A coordinated verb right after a noun is more likely a misparsed clause with its own subject.
            previous = current.doc[current.i - 1] if current.i > 0 else None
            if current.dep_ == "conj" and previous is not None and previous.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
                return None, ""
            current = current.head
            continue
        return None, ""
    return None, ""


def _predicate_subject(noun: Token) -> Token | None:
    """Who a relative clause on a predicate noun speaks of: "X is a liar, cheat and braggart who has pledged to ..."
    is X's pledge, not the epithets'. The noun itself when it is no predicate; None when the copula's subject
    cannot be found (the epithets are never the speaker)."""
    first = noun
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    if first.dep_ != "attr" or first.head.lemma_.lower() not in ("be", "become", "remain"):
        return noun
    copula = first.head
    subject, _how = _find_source(copula)
    if subject is not None:
        return subject
    # "X regularly does Y and is a Z who ...", parsed with the first verb as a clause on X.
    while copula.dep_ == "conj" and copula.head.i != copula.i:
        copula = copula.head
    if copula.dep_ in ("acl", "relcl") and copula.head.pos_ in ("PROPN", "NOUN"):
        return copula.head
    return None


def _reports_clause(verb: Token) -> bool:
    if verb.lemma_.lower() in lexicon.NOT_CUES:
        return False
    for child in verb.children:
        if (
            child.dep_ == "ccomp"
            and child.i > verb.i
            and any(c.dep_ == "mark" and c.lower_ == "that" for c in child.children)
        ):
            subject = _subject_of(verb)
            return subject is not None and (
                subject.pos_ in ("PROPN", "PRON")
                or subject.ent_type_ in _ANIMATE_ENTS
                or subject.lemma_.lower() in lexicon.ANIMATE_NOUNS
            )
    return False


def _after_dateline(source: Token) -> Token:
    """ "Baku, Azerbaijan – UN Security Council said": the speaker is what follows the dash."""
    dashes = [t for t in source.subtree if t.text in ("\u2013", "\u2014", "--")]
    if not dashes:
        return source
    last = dashes[-1].i
    after = [t for t in source.subtree if t.i > last and t.head.i <= last]
    return after[0] if after else source


def _has_content(verb: Token, cue: lexicon.Cue) -> bool:
    """Whether a cue verb carries something said: "Ruritania recalled 40,000 cars, the company said" is a recall
    (what the company said), "she recalled that ..." a report of its own."""
    return any(
        c.dep_ in ("ccomp", "xcomp", "parataxis")
        or (cue.object_content and c.dep_ == "dobj")
        or (c.dep_ == "prep" and c.lower_ in cue.content_preps)
        for c in verb.children
    )


def _has_modal(root: Token) -> bool:
    for child in root.children:
        if child.dep_ in ("aux", "auxpass") and child.lower_ in lexicon.POSITION_MODALS:
            return True
    return root.lemma_ in ("need", "have") and any(c.dep_ == "xcomp" for c in root.children)


def _is_negated(verb: Token) -> bool:
    return any(child.dep_ == "neg" for child in verb.children)


def _is_animate(head: Token, resolver: PartyResolver) -> bool:
    if head.pos_ in ("PROPN", "PRON") or head.ent_type_ in _ANIMATE_ENTS:
        return True
    lemma = head.lemma_.lower()
    if lemma in lexicon.ANIMATE_NOUNS or head.lower_ in lexicon.ANIMATE_NOUNS:
        return True
    # Agent nouns (adviser, partner, activist, historian, surrogate ...) name people; events do not.
    if head.pos_ == "NOUN" and lemma not in lexicon.EVENT_NOUNS and lemma.endswith(lexicon.AGENT_SUFFIXES):
        return True
    return resolver.resolve(_mention_text(head.doc, head)).party_id is not None


def _cue_tokens(verb: Token) -> list[Token]:
    tokens = [verb]
    for child in verb.children:
        if child.dep_ == "prt" and child.i == verb.i + 1:
            tokens.append(child)
        if child.dep_ == "prep" and child.i == verb.i + 1 and verb.lemma_ == "call" and child.lower_ in ("for", "on"):
            tokens.append(child)
    return tokens


def _is_anaphoric(root: Token) -> bool:
    """Content that only points back ("the claim", "this had happened")."""
    if root.pos_ in ("NOUN", "PRON", "DET"):
        if root.lower_ in lexicon.ANAPHORIC_PRONOUNS:
            return True
        if root.lower_ in lexicon.ANAPHORIC_NOUNS and any(
            c.dep_ in ("det", "poss") and c.lower_ in ("the", "this", "that", "these", "those", "such")
            for c in root.children
        ):
            return not any(c.dep_ in ("acl", "relcl", "prep") for c in root.children)
    if root.pos_ in ("VERB", "AUX"):
        subject = _subject_of(root)
        if (
            subject is not None
            and subject.lower_ in lexicon.ANAPHORIC_PRONOUNS
            and root.lemma_ in lexicon.ANAPHORIC_EVENT_VERBS
            and len(list(root.subtree)) <= 5
        ):
            return True
    return False


# How the learned model and the rules combine (docs/analysis.md "Attribution model"; chosen on PolNeAR dev):
# "rules" and "model" alone; "union" keeps every cue either finds, taking the rules' reading where both
# found one (their stance, target and speaker heads are worked out construction by construction);
# "union-outer" is the union without reports nested in another one's content.
# Set by the confidence calibration, which fits the map from raw scores to shares right.
RAW_CONFIDENCE: contextvars.ContextVar[bool] = contextvars.ContextVar("raw_confidence", default=False)

MODES = ("rules", "model", "union", "union-outer")
MODEL_FILTERS = True
KEEP_CONTENTLESS = False
KEEP_SOURCELESS = False
NEGATED_FILTER = True
MODEL_MIN_PROBABILITY = 0.0
ANIMATE_FILTER = True
DEFAULT_MODE = "union-outer"


def _nearest_run(tokens: Sequence[Token], cue_start: int) -> list[Token]:
    """Of the contiguous runs of tokens, the one closest to the cue (a source is one mention)."""
    runs: list[list[Token]] = []
    for tok in sorted(tokens, key=lambda t: t.i):
        if runs and tok.i == runs[-1][-1].i + 1:
            runs[-1].append(tok)
        else:
            runs.append([tok])
    if not runs:
        return []
    return min(runs, key=lambda run: min(abs(t.i - cue_start) for t in run))


def _root_of(tokens: Sequence[Token]) -> Token | None:
    """The highest token of a set in the parse: the one whose head lies outside it."""
    inside = {t.i for t in tokens}
    for tok in tokens:
        if tok.head.i not in inside or tok.head.i == tok.i:
            return tok
    return None


class _Extractor:
    """One document's pass: candidates from the parse, then speakers resolved in reading order."""

    def __init__(self, doc: Doc, resolver: PartyResolver, mode: str = DEFAULT_MODE) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown attribution mode {mode!r}; one of {', '.join(MODES)}")
        self.doc = doc
        self.text = doc.text
        self.resolver = resolver
        self.quotes = _Quotes(doc.text)
        self.mode = mode
        # The calibration itself reads the raw scores (tools/training/confidence.py).
        self.raw_confidence = RAW_CONFIDENCE.get()

    # -- content ---------------------------------------------------------------------------

    def _content_from_tokens(self, tokens: Sequence[Token]) -> list[tuple[int, int]]:
        segments = []
        for seg in _segments(tokens):
            trimmed = _trim(self.text, seg)
            if trimmed:
                segments.append(trimmed)
        return self._extend_quotes(segments)

    def _extend_quotes(self, segments: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Reported words inside quotes take the whole quoted passage, marks included."""
        out: list[tuple[int, int]] = []
        for start, end in segments:
            for q_start, q_end in self.quotes.overlapping(start, end):
                inside = min(end, q_end) - max(start, q_start)
                if inside >= 0.5 * (end - start) or (q_start >= start - 2 and q_end <= end + 2):
                    start, end = min(start, q_start), max(end, q_end)
            out.append((start, end))
        return out

    def _quote_after_colon(self, verb: Token, source: Token | None) -> list[tuple[int, int]]:
        """ "X said: “...”" and '“...,” X said' where the parser left the quote unattached."""
        sent = verb.sent
        after = self.text[verb.idx + len(verb.text) : sent.end_char + 400]
        match = re.match(r"\s*(?:[A-Z][a-z]+day\s*)?[:,]?\s*", after)
        if match:
            start = verb.idx + len(verb.text) + match.end()
            for q_start, q_end in self.quotes.regions:
                if q_start == start:
                    return [(q_start, q_end)]
        # '“...,” Turkey said': the quote ends right before the speaker, maybe in the sentence before.
        first = min(verb.idx, source.left_edge.idx) if source is not None else verb.idx
        for q_start, q_end in self.quotes.regions:
            if q_end <= first and re.fullmatch(r"[\s,]*", self.text[q_end:first]):
                return [(q_start, q_end)]
        return []

    def _content(
        self, verb: Token, cue: lexicon.Cue, source: Token | None
    ) -> list[tuple[list[tuple[int, int]], Token | None, Token | None]]:
        """Content segments with their root and any accused party, one entry per reported clause."""
        found: list[tuple[list[tuple[int, int]], Token | None, Token | None]] = []
        children = list(verb.children)
        # A clause before the verb is reported speech only for speech verbs ("“...,” Turkey said").
        ccomps = [
            c
            for c in children
            if c.dep_ in ("ccomp", "parataxis") and (c.i > verb.i or (cue.speech and c.dep_ == "ccomp"))
        ]
        # A report before the verb with its own speaker is its own statement, not this one's content.
        ccomps = [
            c for c in ccomps if not (c.i < verb.i and c.lemma_.lower() in lexicon.CUES and _subject_of(c) is not None
                                      and _has_content(c, lexicon.CUES[c.lemma_.lower()]))
        ]
        for ccomp in ccomps:
            # "said A, and B": coordinated clauses with their own subjects are separate claims.
            parts = [ccomp] + [c for c in ccomp.conjuncts if _subject_of(c) is not None and c.i > ccomp.i]
            for part in parts:
                excluded = [c for c in part.children if c.dep_ in ("conj", "cc") and c in parts]
                if part is ccomp:
                    excluded = [c for c in part.children if c in parts or (c.dep_ == "cc" and len(parts) > 1)]
                # "said A and said B": the second report is its own statement.
                excluded += [
                    c for c in part.children if c.dep_ == "conj" and c.lemma_.lower() in lexicon.CUES and c not in parts
                ]
                tokens = _subtree_without(part, excluded)
                if source is not None:
                    banned = {t.i for t in source.subtree} | {verb.i}
                    tokens = [t for t in tokens if t.i not in banned]
                found.append((self._content_from_tokens(tokens), part, None))
        if found:
            return found
        xcomps = [c for c in children if c.dep_ == "xcomp" and c.i > verb.i]
        if cue.infinitive and xcomps:
            x = xcomps[0]
            return [(self._content_from_tokens(list(x.subtree)), x, None)]
        target = None
        for child in children:
            if child.dep_ in ("dobj", "dative") and child.i > verb.i:
                target = child
        for child in children:
            if child.dep_ == "prep" and child.lower_ in cue.content_preps and child.i > verb.i:
                objs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
                if objs:
                    tokens = list(objs[0].subtree)
                    return [(self._content_from_tokens(tokens), objs[0], target)]
        if cue.object_content:
            for child in children:
                if child.dep_ == "dobj" and child.i > verb.i:
                    tokens = list(child.subtree)
                    extra = [
                        c
                        for c in children
                        if c.dep_ in ("oprd", "prep") and c.i > child.i and c.lower_ not in _NON_CONTENT_PREPS
                    ]
                    for c in extra:
                        tokens.extend(c.subtree)
                    return [(self._content_from_tokens(tokens), child, None)]
        quotes = self._quote_after_colon(verb, source)
        if quotes and cue.speech:
            return [(quotes, None, None)]
        if cue.speech and verb.head is not verb and (verb.dep_ == "parataxis" or self._is_interjected(verb, source)):
            # "The economy, he said, is strong": the reported clause is the verb's own head.
            head = verb.head
            tokens = _subtree_without(head, [verb])
            return [(self._content_from_tokens(tokens), head, None)]
        return []

    def _is_interjected(self, verb: Token, source: Token | None) -> bool:
        """ "..., it said." / "..., analysts have said": a report clause set off after the words it reports."""
        if verb.dep_ not in ("ccomp", "advcl") or source is None or verb.i < verb.head.i:
            return False
        left = source.left_edge.i
        return left > 0 and verb.doc[left - 1].text in (",", "\u201d", "''", '"')

    def _continued_quote(self, verb: Token, source: Token) -> list[tuple[int, int]]:
        """'“A,” he said. “B.”': the quote that resumes right after the report clause is the same speech."""
        clause_end = max(verb.idx + len(verb.text), source.right_edge.idx + len(source.right_edge.text))
        for tok in verb.rights:
            if tok.dep_ in ("npadvmod", "advmod", "prep") and tok.idx < verb.sent.end_char:
                clause_end = max(clause_end, tok.right_edge.idx + len(tok.right_edge.text))
        gap = re.match(r"[\s,.;:]*", self.text[clause_end : clause_end + 20])
        start = clause_end + (gap.end() if gap else 0)
        for q_start, q_end in self.quotes.regions:
            if q_start == start:
                return [(q_start, q_end)]
        return []

    # -- candidates -----------------------------------------------------------------------------

    def rule_candidates(self) -> list[_Candidate]:
        out: list[_Candidate] = []
        for tok in self.doc:
            if tok.lower_ == "according" and tok.i + 1 < len(self.doc) and self.doc[tok.i + 1].lower_ == "to":
                cand = self._according_to(tok)
                if cand:
                    out.append(cand)
                continue
            if tok.pos_ != "VERB":
                continue
            lemma = tok.lemma_.lower()
            cue = lexicon.CUES.get(lemma)
            if cue is None and _reports_clause(tok):
                # Any verb taking a that-clause from a named or human speaker reports what they hold.
                cue = lexicon.CLAUSE_CUE
            if cue is None or _is_negated(tok):
                continue
            if lemma in lexicon.CUE_PARTICLES and not any(
                c.dep_ == "prt" and c.lower_ in lexicon.CUE_PARTICLES[lemma] for c in tok.children
            ):
                continue
            if lemma in lexicon.CUE_OBJECTS and not any(
                c.dep_ == "dobj" and c.lower_ in lexicon.CUE_OBJECTS[lemma] for c in tok.children
            ):
                continue
            if lemma == "call" and not any(
                (c.dep_ == "prep" and c.lower_ in ("for", "on")) or c.dep_ in ("xcomp", "oprd", "ccomp")
                for c in tok.children
            ):
                continue
            out.extend(self._verb_candidates(tok, lemma, cue))
        out.extend(self._layout_candidates(out))
        out.sort(key=lambda c: c.cue_tokens[0].i)
        return self._drop_nested(out)

    def candidates(self) -> list[_Candidate]:
        if self.mode == "rules":
            return self.rule_candidates()
        learned = self._model_candidates()
        if self.mode == "model":
            return learned
        rules = self.rule_candidates()
        taken = {t.i for c in rules for t in c.cue_tokens}
        out = rules + [c for c in learned if not taken & {t.i for t in c.cue_tokens}]
        out.sort(key=lambda c: c.cue_tokens[0].i)
        return self._drop_nested(out) if self.mode == "union-outer" else out

    def _model_candidates(self) -> list[_Candidate]:
        """The learned model's attributions as candidates; stance from the cue lexicon."""
        from claims.analysis.attribution import get_model

        out = []
        for found in get_model().find(self.doc):
            if found.probability < MODEL_MIN_PROBABILITY:
                continue
            cue_tokens = [self.doc[i] for i in found.cue]
            content_tokens = [self.doc[i] for i in found.content]
            segments = self._content_from_tokens(content_tokens)
            # Without content or speaker there is no statement to record (dropping them scores better on dev).
            if not segments and not KEEP_CONTENTLESS:
                continue
            if not found.source and not KEEP_SOURCELESS:
                continue
            source_run = _nearest_run([self.doc[i] for i in found.source], found.cue[0])
            heads: list[Token] = []
            source_span = None
            if source_run:
                run = {t.i for t in source_run}
                head = next((t for t in source_run if t.head.i not in run or t.head.i == t.i), source_run[0])
                heads = [head] + [c for c in head.conjuncts if c.i in run and c.i > head.i]
                source_span = _trim(self.text, _span_of(source_run) or (head.idx, head.idx + len(head.text)))
                named_span = None
                if head.lower_ in _RELATIVES and head.head.dep_ == "relcl":
                    # "the region, which has declared ...": the speaker is what the relative clause is about, as
                    # the rules' _find_source has it.
                    heads = [head.head.head]
                    named_span = _trim(self.text, _span_of(_mention_tokens(heads[0])))
            cue_head = next((t for t in cue_tokens if t.head.i not in found.cue or t.head.i == t.i), cue_tokens[0])
            lexical = lexicon.CUES.get(cue_head.lemma_.lower())
            # As for the rules: a report that did not happen ("has not disclosed") is no statement, and
            # only speech verbs take a speaker that is not a person, group or body ("the conflict raised").
            if MODEL_FILTERS and NEGATED_FILTER and _is_negated(cue_head):
                continue
            if (
                MODEL_FILTERS
                and ANIMATE_FILTER
                and heads
                and not (lexical is not None and lexical.speech)
                and not _is_animate(heads[0], self.resolver)
            ):
                continue
            stance = lexical.stance if lexical is not None else "asserts"
            root = _root_of(content_tokens)
            if stance == "asserts" and root is not None and root.pos_ in ("VERB", "AUX") and _has_modal(root):
                stance = "position"
            out.append(
                _Candidate(
                    cue_tokens=cue_tokens,
                    source_heads=heads,
                    source_span=source_span,
                    content=segments,
                    stance=stance,
                    direct=all(self.quotes.covering(s, e) for s, e in segments),
                    confidence=0.7,
                    content_root=root,
                    origin="model",
                    named_span=named_span if source_run else None,
                )
            )
        return out

    def _layout_candidates(self, found: list[_Candidate]) -> list[_Candidate]:
        """Attributions marked by layout, not grammar: "PENCE: ..." lines and '“...” ― Name' sign-offs."""
        taken = {t.i for c in found for t in c.cue_tokens}
        out = []
        for match in _SPEAKER_LINE.finditer(self.text):
            cand = self._layout_candidate(match.span("name"), match.span("colon"), [match.span("content")])
            if cand and not taken & {t.i for t in cand.cue_tokens}:
                out.append(cand)
        for q_start, q_end in self.quotes.regions:
            match = _SIGN_OFF.match(self.text, q_end)
            if match:
                cand = self._layout_candidate(match.span("name"), match.span("dash"), [(q_start, q_end)])
                if cand:
                    out.append(cand)
        # A quote the parser could not attach: '“...,” Tulsa police Chief Chuck Jordan said Monday.'
        for q_start, q_end in self.quotes.regions:
            match = _QUOTE_THEN_SPEAKER.match(self.text, q_end)
            if not match:
                continue
            verb = self.doc.char_span(*match.span("verb"))
            if verb is None or taken & {t.i for t in verb}:
                continue
            cand = self._layout_candidate(match.span("name"), match.span("verb"), [(q_start, q_end)])
            if cand:
                out.append(cand)
        return out

    def _layout_candidate(
        self, name: tuple[int, int], cue: tuple[int, int], content: list[tuple[int, int]]
    ) -> _Candidate | None:
        name_span = self.doc.char_span(*name, alignment_mode="expand")
        cue_span = self.doc.char_span(*cue, alignment_mode="expand")
        segments = [seg for seg in (_trim(self.text, c) for c in content) if seg]
        if name_span is None or cue_span is None or not segments or not len(name_span):
            return None
        if not self._layout_speaker(name_span):
            return None
        return _Candidate(
            cue_tokens=list(cue_span),
            source_heads=[name_span.root],
            source_span=name,
            content=self._extend_quotes(segments),
            stance="asserts",
            direct=all(self.quotes.covering(s, e) for s, e in segments),
            confidence=0.6,
            layout=True,
        )

    def _layout_speaker(self, name_span: Span) -> bool:
        """A "NAME:" or sign-off names a speaker only if it is a known party or a name, not "READ MORE"."""
        if self.resolver.resolve(name_span.text).party_id:
            return True
        return speakers.mention_verdict(name_span.root, list(name_span), layout=True).party

    def _drop_nested(self, candidates: list[_Candidate]) -> list[_Candidate]:
        """Reports inside quoted words or inside another report's content are the outer speaker's words.

        PolNeAR annotates no nested attribution ("he said he thought ..." is one), and for a
        claims tracker the outer speaker is the one on record. Except when the outer speaker only
        reports (a report, an outlet: "the report said Haddad categorically denies ..."): then the
        inner speaker is the one on record, with the inner stance, and the outer report goes.
        """
        nested: list[tuple[_Candidate, _Candidate | None]] = []
        kept = []
        for cand in candidates:
            cue_start = cand.cue_tokens[0].idx
            quote = self.quotes.covering(cue_start, cue_start + 1)
            # Scare quotes around the cue itself (“expressed concern”) are not someone else's words.
            in_quote = quote is not None and len(self.text[quote[0] : quote[1]].split()) > 4
            own = set(cand.content)
            outer = next(
                (
                    o for o in candidates
                    if o is not cand and any(s < cue_start < e for s, e in o.content if (s, e) not in own)
                ),
                None,
            )
            if in_quote or outer is not None:
                nested.append((cand, outer))
            else:
                kept.append(cand)
        reported: set[int] = set()
        for cand, outer in nested:
            if outer is not None and self._only_reports(outer) and cand.source_heads and not cand.layout and (
                _is_animate(cand.source_heads[0], self.resolver) and cand.source_heads[0].pos_ != "PRON"
            ):
                kept.append(cand)
                reported.add(id(outer))
        kept = [c for c in kept if id(c) not in reported]
        kept.sort(key=lambda c: c.cue_tokens[0].i)
        return kept

    def _only_reports(self, cand: _Candidate) -> bool:
        """A speaker that passes on what others say: a thing ("the report") or an outlet, not a party to it."""
        if not cand.source_heads:
            return False
        head = cand.source_heads[0]
        party = self.resolver.resolve(_mention_text(self.doc, head)).party_id
        if party:
            return self.resolver.kind(party) == speakers.MEDIA
        verdict = speakers.mention_verdict(head, _mention_tokens(head), layout=cand.layout)
        return verdict.reason == "thing" or verdict.kind == speakers.MEDIA

    def _verb_candidates(self, verb: Token, lemma: str, cue: lexicon.Cue) -> list[_Candidate]:
        source, how = _find_source(verb)
        if source is not None and how == "relative":
            source = _predicate_subject(source)
        if source is None:
            return []
        source = _after_dateline(source)
        if not cue.speech and not _is_animate(source, self.resolver):
            return []
        contents = self._content(verb, cue, source)
        if lemma == "express":
            preps = [c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("about", "over", "at", "for")] + [
                c for d in verb.children if d.dep_ == "dobj" for c in d.children if c.dep_ == "prep"
            ]
            tokens = [t for p in preps for t in p.subtree]
            contents = [(self._content_from_tokens(tokens), None, None)] if tokens else [([], None, None)]
        candidates = []
        heads = [source] + [c for c in source.conjuncts if c.i > source.i]
        # "Russia and two other states ..., the United States and France, have called": the named appositions speak.
        for head in list(heads):
            for child in head.children:
                if child.dep_ == "appos":
                    heads.append(child)
                    heads.extend(c for c in child.conjuncts if c.i > child.i)
        source_tokens = list(source.subtree) if how != "relative" else _mention_tokens(source)
        source_span = _span_of(source_tokens)
        if source_span:
            source_span = _trim(self.text, source_span)
        named_span = None
        pronoun = next((t for t in self.doc[source.i + 1 : verb.i] if t.lower_ in _RELATIVES and t.dep_ in _SUBJECTS),
                       None) if how == "relative" else None
        if pronoun is not None:
            named_span, source_span = source_span, (pronoun.idx, pronoun.idx + len(pronoun.text))
        for segments, root, target in contents:
            if not segments and lemma != "express":
                continue
            stance = cue.stance
            # Rejecting a thing (pressure, a proposal) is a refusal; denying a claim is a denial.
            if (
                lemma in ("reject", "dismiss")
                and root is not None
                and root.pos_ in ("NOUN", "PROPN")
                and root.lower_ not in lexicon.ANAPHORIC_NOUNS
            ):
                stance = "position"
            if stance == "asserts" and root is not None and root.pos_ in ("VERB", "AUX") and _has_modal(root):
                stance = "position"
            if segments and root is not None and self.quotes.covering(*segments[-1]) and segments[-1][1] <= verb.idx:
                segments = segments + self._continued_quote(verb, source)
            direct = bool(segments) and all(self.quotes.covering(s, e) for s, e in segments)
            content_text = " ".join(self.text[s:e] for s, e in segments).lower()
            target_text = " ".join(t.lower_ for t in target.subtree) if target is not None else ""
            candidates.append(
                _Candidate(
                    cue_tokens=_cue_tokens(verb)
                    if lemma != "express"
                    else sorted([verb] + [c for c in verb.children if c.dep_ == "dobj"], key=lambda t: t.i),
                    source_heads=heads,
                    source_span=source_span,
                    content=segments,
                    stance=stance,
                    direct=direct,
                    anaphoric=root is not None
                    and stance in ("denies", "confirms", "questions", "retracts")
                    and _is_anaphoric(root),
                    target=target,
                    reciprocal=any(r in content_text for r in lexicon.RECIPROCALS)
                    or (target is not None and any(r in target_text for r in lexicon.RECIPROCALS)),
                    confidence=0.9 if how == "subject" else 0.7,
                    content_root=root,
                    named_span=named_span,
                )
            )
        return candidates

    def _according_to(self, tok: Token) -> _Candidate | None:
        to = self.doc[tok.i + 1]
        objs = [c for c in to.children if c.dep_ == "pobj"] or [c for c in tok.children if c.dep_ == "pobj"]
        if not objs:
            return None
        source = objs[0]
        sent = tok.sent
        phrase = {t.i for t in tok.subtree} | {to.i} | {t.i for t in source.subtree}
        tokens = [t for t in sent if t.i not in phrase]
        segments = self._content_from_tokens(tokens)
        if not segments:
            return None
        return _Candidate(
            cue_tokens=[tok, to],
            source_heads=[source] + [c for c in source.conjuncts if c.i > source.i],
            source_span=_trim(self.text, _span_of(source.subtree) or (source.idx, source.idx + len(source.text))),
            content=segments,
            stance="asserts",
            direct=all(self.quotes.covering(s, e) for s, e in segments),
            confidence=0.8,
            content_root=sent.root,
        )

    # -- speakers ----------------------------------------------------------------------------------

    def _furniture_blocks(self) -> list[tuple[int, int]]:
        """Character ranges of blocks a page label opens ("Video: ...", "Correction: ...", "READ MORE: ..."):
        captions, corrections and links are the page talking about itself, so nothing in them is a statement."""
        ranges = []
        for match in _BLOCK.finditer(self.text):
            label = match.group("label")
            if label and " ".join(label.lower().replace("\u2019", "'").split()) in speakers.FURNITURE:
                ranges.append((match.start(), match.end()))
        return ranges

    def statements(self) -> list[ExtractedStatement]:
        # Speakers in reading order: (party id, or "?" + the proposed name, kind), for pronouns and role nouns.
        history: list[tuple[str, str]] = []
        groups: list[list[str]] = []
        statements: list[ExtractedStatement] = []
        furniture = self._furniture_blocks()
        for cand in self.candidates():
            cue_start = min((t.idx for t in cand.cue_tokens), default=0)
            if any(start <= cue_start < end for start, end in furniture):
                continue
            if cand.source_heads and all(
                " ".join(t.lower_ for t in _mention_tokens(h) if not t.is_punct) in speakers.FURNITURE
                for h in cand.source_heads
            ):
                continue  # "Video" or "Legend" as a speaker: a caption, not a statement
            parties = self._speaker_parties(cand, history, groups)
            resolved = [p for p in parties if p[0]]
            if len(resolved) >= 2:
                groups.append([p[0] for p in resolved if p[0]])
            cue_spans = [TextSpan(s, e, self.text[s:e]) for s, e in _segments(cand.cue_tokens)]
            content = [TextSpan(s, e, self.text[s:e]) for s, e in cand.content]
            speaker = (
                TextSpan(cand.source_span[0], cand.source_span[1], self.text[cand.source_span[0] : cand.source_span[1]])
                if cand.source_span
                else None
            )
            group_ids = [p[0] for p in parties if p[0]]
            for party_id, proposed, kind, score in parties:
                target_id = None
                if cand.target is not None:
                    target_id = self.resolver.resolve(_mention_text(self.doc, cand.target)).party_id
                if cand.reciprocal and party_id and len(group_ids) == 2:
                    target_id = next(p for p in group_ids if p != party_id) if group_ids[0] != group_ids[1] else None
                claim_text = " ".join(c.text for c in content)
                name, name_kind = (
                    (self.resolver.name(party_id), self.resolver.kind(party_id)) if party_id else (proposed or "", kind)
                )
                if cand.target is not None:
                    # "X accused Y of shelling ...": Y is who did it, so Y is the claim's subject.
                    name, name_kind = (
                        (self.resolver.name(target_id), self.resolver.kind(target_id)) if target_id
                        else (speakers.clean_name(_mention_text(self.doc, cand.target)), "")
                    )
                wording = claim_wording(self.doc, cand.content, speaker_name=name, speaker_kind=name_kind,
                                       direct=cand.direct)
                stance = _polar_stance(cand.stance, wording.negated)
                if wording.negated:
                    # A denial of the positive clause is matched and grouped with reports of that clause.
                    claim_text = wording.text
                elif not wording.text and not cand.anaphoric:
                    # A noun phrase or a fragment is no claim: the statement stays unlinked.
                    claim_text = ""
                if target_id:
                    claim_text = f"{self.resolver.name(target_id)} {claim_text}"
                confidence = cand.confidence * (0.5 + 0.5 * score)
                if not wording.text or not wording.self_contained:
                    confidence *= 0.8
                statements.append(
                    ExtractedStatement(
                        speaker=speaker,
                        party_id=party_id,
                        proposed_party=proposed,
                        proposed_kind=kind if proposed else "",
                        cue=cue_spans,
                        content=content,
                        direct=cand.direct,
                        stance=stance,  # type: ignore[arg-type]
                        confidence=round(confidence if self.raw_confidence else calibrated(confidence), 3),
                        claim_text=claim_text,
                        anaphoric=cand.anaphoric,
                        target_party_id=target_id,
                        clause=wording.clause,
                        # Only a wording readable on its own may found a claim (linking._claim_for).
                        claim_wording=wording.text if wording.self_contained else "",
                        extra={"origin": cand.origin, **self._fuller_name(cand, party_id), **self._named(cand),
                               **({"says_nothing": True} if _says_nothing(self.doc, cand, stance, wording) else {})},
                    )
                )
                if party_id:
                    history.append((party_id, self.resolver.kind(party_id)))
                elif proposed:
                    history.append(("?" + proposed, kind))
        return statements

    def _fuller_name(self, cand: _Candidate, party_id: str | None) -> dict[str, str]:
        """A person named in full ("Adaeze Okonkwo") where the party it resolved to holds only a lone word
        ("Okonkwo"): the name and kind the store may complete a machine proposal with (linking)."""
        if not party_id or len(name_tokens(self.resolver.name(party_id))) != 1:
            return {}
        start, end = cand.source_span or (-1, -1)
        people = [e for e in self.doc.ents if e.label_ == "PERSON" and start <= e.start_char and e.end_char <= end]
        if len(people) != 1:
            return {}
        name = speakers.person_name(speakers.clean_name(people[0].text))
        if not speakers.core_tokens(self.resolver.name(party_id)) < speakers.core_tokens(name):
            return {}
        return {"speaker_name": proposed_name(name), "speaker_kind": speakers.PERSON}

    def _named(self, cand: _Candidate) -> dict[str, str]:
        """Who a relative pronoun source is, as the text names them (what an unresolved speaker shows)."""
        if cand.named_span is None:
            return {}
        return {"speaker_named": " ".join(self.text[cand.named_span[0] : cand.named_span[1]].split())}

    def _speaker_parties(
        self, cand: _Candidate, history: list[tuple[str, str]], groups: list[list[str]]
    ) -> list[tuple[str | None, str | None, str, float]]:
        """(party id, proposed name, its kind, score) for each speaker; coreference for pronouns and roles.

        A speaker that is no party (a pronoun with no antecedent, a thing such as "the report", page furniture)
        gets neither: its statement keeps the words as written.
        """
        out: list[tuple[str | None, str | None, str, float]] = []
        for head in cand.source_heads:
            words = _mention_tokens(head)
            mention = _mention_text(self.doc, head)
            lower = head.lower_
            resolution = self.resolver.resolve(mention)
            if resolution.party_id:
                out.append((resolution.party_id, None, "", resolution.score))
                continue
            is_group = lower in ("they", "both", "countries", "sides") or (
                lower in lexicon.GROUP_NOUNS and any(t.lower_ in ("both", "two") for t in words)
            )
            if is_group and groups:
                out.extend((pid, None, "", 0.6) for pid in groups[-1])
                continue
            is_role = (
                lower in lexicon.ROLE_NOUNS
                or head.lemma_.lower() in lexicon.ROLE_NOUNS
                or speakers.is_organisation_description(head, words)
            )
            # "The Transport Ministry" is named; only a bare "the ministry" points back.
            if is_role and any(t.pos_ == "PROPN" or t.ent_type_ for t in words if t.i != head.i):
                is_role = False
            if lower in lexicon.PRONOUNS or is_role:
                antecedent = self._antecedent(head, history)
                if antecedent:
                    key, kind = antecedent
                    if key.startswith("?"):
                        out.append((None, key[1:], kind, 0.5))
                    else:
                        out.append((key, None, "", 0.6))
                    continue
            verdict = speakers.mention_verdict(head, words, layout=cand.layout)
            if head.dep_ == "appos" and not (verdict.party and head.pos_ == "PROPN"):
                continue  # "Marta Lindqvist, the port's director": the description is hers, not a second speaker
            if head.pos_ == "NOUN" and any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in head.children):
                continue  # "the chief executive, Petra Holm": the name speaks
            if head.pos_ == "PRON" or not verdict.party:
                out.append((None, None, "", 0.3))
            else:
                out.append((None, proposed_name(_party_name(head, mention, verdict.kind)), verdict.kind, 0.5))
        # Drop unnamed group words ("two other states") when named members of the group spoke.
        if any(pid for pid, _, _, _ in out):
            out = [
                o for o in out if o[0] or (o[1] and name_tokens(o[1]) - lexicon.GROUP_NOUNS - {"two", "other", "three"})
            ]
        # One statement per party: "Armenia's military and Armenia" collapse.
        seen: set[str | None] = set()
        unique = []
        for o in out:
            key = o[0] or o[1]
            if key not in seen:
                seen.add(key)
                unique.append(o)
        return unique

    def _antecedent(self, head: Token, history: list[tuple[str, str]]) -> tuple[str, str] | None:
        """Who "it", "he" or "a spokeswoman" speaks for: the nearest earlier speaker of a fitting kind, as (party
        id or "?" + proposed name, kind)."""
        lower = head.lower_
        wants_person = lower in ("he", "she")
        if lower in ("i", "we", "you", "who", "which", "that"):
            return None
        # "A spokesman for the regional government" says whom he speaks for: not an earlier speaker's spokesman.
        if any(child.dep_ == "prep" and child.lower_ in ("for", "of", "from", "at") and any(
            grand.dep_ == "pobj" for grand in child.children
        ) for child in head.children):
            return None
        described = speakers.is_organisation_description(head, [head])
        for key, kind in reversed(history):
            # A role noun ("the ministry", "officials") speaks for a known party; a pronoun, or "the airline"
            # for an organisation proposed before, for any speaker.
            if key.startswith("?") and lower not in lexicon.PRONOUNS and not (
                described and kind == speakers.ORGANISATION
            ):
                continue
            is_person = kind == "person"
            if wants_person == is_person:
                return key, kind
        # No speaker yet: the nearest earlier name in the text that is a known party, or for "he"/"she" a person.
        for ent in reversed([e for e in self.doc.ents if e.end <= head.i]):
            party_id = self.resolver.resolve(ent.text).party_id
            if party_id and (self.resolver.kind(party_id) == "person") == wants_person:
                return party_id, self.resolver.kind(party_id)
            if wants_person and not party_id and ent.label_ == "PERSON" and len(ent.text.split()) >= 2:
                return "?" + speakers.person_name(speakers.clean_name(ent.text)), "person"
        return None


def _says_nothing(doc: Doc, cand: _Candidate, stance: str, wording) -> bool:
    """An assertion whose content carries nothing said: a noun phrase with no verb and no event ("told reporters",
    "cited disparaging remarks", "“a grandmaster”"). PolNeAR counts such attributions, so
    the analysis keeps them; the review queue has nothing to check in them (linking leaves them out)."""
    # A denial of a noun phrase ("denied the plan") refers to what was reported before: it says something.
    if stance not in ("asserts", "confirms") or cand.anaphoric or wording.text or not cand.content:
        return False
    words = [t for start, end in cand.content for t in doc if start <= t.idx < end and not (t.is_punct or t.is_space)]
    # "described the plan as reckless" predicates something (the plan is reckless): that is said.
    return not any(t.pos_ in ("VERB", "AUX") or t.lower_ == "as" for t in words)


def _party_name(head: Token, mention: str, kind: str) -> str:
    """A person is named by the name, not the description around it ("longtime pollster Jan Novak")."""
    if kind == speakers.PERSON and head.ent_type_ == "PERSON":
        for ent in head.doc.ents:
            if ent.start <= head.i < ent.end and ent.label_ == "PERSON":
                return speakers.person_name(ent.text)
    if kind == speakers.PERSON:
        return speakers.person_name(speakers.name_head(mention))
    return speakers.name_head(mention)


def _polar_stance(stance: str, negated: bool) -> str:
    """The stance towards the positive claim: "said X did not" denies "X did"."""
    if not negated:
        return stance
    return {"asserts": "denies", "confirms": "denies", "denies": "asserts"}.get(stance, stance)


def merge_proposals(results: dict[str, list[ExtractedStatement]]) -> None:
    """One proposal per unknown speaker across the run: "President Haddad" and "Haddad" become one name."""
    proposals = speakers.Proposals()
    placed = []
    for statements in results.values():
        for statement in statements:
            if statement.proposed_party:
                placed.append((statement, proposals.add(statement.proposed_party, statement.proposed_kind)))
    for statement, index in placed:
        statement.proposed_party = proposals.names[index]
        statement.proposed_kind = proposals.kinds[index]


def analyse_doc(
    doc: Doc, parties: Sequence[KnownParty] | PartyResolver, *, mode: str = DEFAULT_MODE
) -> list[ExtractedStatement]:
    """Statements of one parsed document, claim keys local to it."""
    resolver = parties if isinstance(parties, PartyResolver) else PartyResolver(parties)
    return _Extractor(doc, resolver, mode).statements()


@pipeline_stage("analysis")
def analyse(text: str, parties: Sequence[KnownParty] | PartyResolver) -> list[ExtractedStatement]:
    """Attributed statements of one article, with claim keys grouping those that report the same claim."""
    return analyse_documents({"": text}, parties)[""]


def analyse_documents(
    texts: dict[str, str],
    parties: Sequence[KnownParty] | PartyResolver,
    *,
    batch_size: int = 16,
    mode: str = DEFAULT_MODE,
) -> dict[str, list[ExtractedStatement]]:
    """Statements of several articles; claim keys are shared across all of them.

    `parties` may be a PartyResolver built earlier: it is read-only, so one per process can serve every article.
    """
    from claims.analysis.claimkeys import assign_claim_keys

    resolver = parties if isinstance(parties, PartyResolver) else PartyResolver(parties)
    nlp = get_nlp()
    names = list(texts)
    results: dict[str, list[ExtractedStatement]] = {}
    for name, doc in zip(names, parse_blocks(nlp, (texts[n] for n in names), batch_size=4 * batch_size), strict=True):
        results[name] = analyse_doc(doc, resolver, mode=mode)
    merge_proposals(results)
    assign_claim_keys(results)
    return results
