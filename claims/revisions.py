"""When an article changes: which of its statements a new revision still has, and where their words are now.

Plain Python, no database: claims.linking.revision_analyse reads the article's earlier statements and what the
analysis found in the new text, asks supersession_plan what to do, and writes it (claims.services). A statement is
found again when the new analysis finds one with the same speaker (party, or the speaker's words), the same stance
and the same claim over the same words (overlapping, once the earlier text is aligned onto the new one word by word).
Failing that, one with the same speaker and stance over the same words (an analyst corrected the claim, or the
machine now links it elsewhere), then one over nearly the same words (an analyst corrected the speaker or the
stance, or the machine reads the sentence anew). A reviewed statement (or one an analyst recorded) keeps what the
analyst decided; a pending machine statement takes the new reading, since nobody has looked at it yet: either way
it stays one statement, with its id and its place in the review queue. Words that survive the edit unchanged keep
their statement even when the analysis does not find it again.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

_WORD = re.compile(r"\S+")
# Share of the shorter of two statements' words that both cover in the new text, for them to be the same words.
SAME_WORDS = 0.5
# For a reviewed statement whose speaker or stance the analyst changed: nearly all of them.
NEARLY_THE_SAME_WORDS = 0.8


class Alignment:
    """An earlier text's words matched to a later text's (difflib on words, no junk heuristic: "the" and "said"
    anchor a sentence as well as any word), to carry character spans from one text to the other."""

    def __init__(self, old: str, new: str) -> None:
        self.old_words = [(m.start(), m.end()) for m in _WORD.finditer(old)]
        self.new_words = [(m.start(), m.end()) for m in _WORD.finditer(new)]
        self._old_starts = [start for start, _end in self.old_words]
        self._new_starts = [start for start, _end in self.new_words]
        matcher = SequenceMatcher(
            None, [old[s:e] for s, e in self.old_words], [new[s:e] for s, e in self.new_words], autojunk=False
        )
        self.to_new: dict[int, int] = {}
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                self.to_new[block.a + k] = block.b + k

    def old_indices(self, start: int, end: int) -> list[int]:
        return _indices(self.old_words, self._old_starts, start, end)

    def new_indices(self, start: int, end: int) -> list[int]:
        return _indices(self.new_words, self._new_starts, start, end)

    def mapped(self, start: int, end: int) -> set[int]:
        """The later text's words that the earlier span's words became."""
        return {self.to_new[i] for i in self.old_indices(start, end) if i in self.to_new}

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The earlier span [start, end) in the later text when every one of its words is there, in one run and in
        the same place within its first and last word; None when the words changed."""
        old = self.old_indices(start, end)
        if not old or any(i not in self.to_new for i in old):
            return None
        new = [self.to_new[i] for i in old]
        if new != list(range(new[0], new[0] + len(new))):
            return None
        head = start - self.old_words[old[0]][0]  # a span may start inside a word: after an opening quote mark
        tail = self.old_words[old[-1]][1] - end
        return self.new_words[new[0]][0] + max(head, 0), self.new_words[new[-1]][1] - max(tail, 0)


def _indices(words: list[tuple[int, int]], starts: list[int], start: int, end: int) -> list[int]:
    """Indices of the words that overlap [start, end)."""
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    indices = []
    for i in range(first, len(words)):
        word_start, word_end = words[i]
        if word_start >= end:
            break
        if word_end > start:
            indices.append(i)
    return indices


@dataclass(frozen=True)
class Earlier:
    """A statement of the article recorded in an earlier revision (live, or withdrawn by an edit since)."""

    id: int
    revision_id: int
    start: int
    end: int
    quote: str
    cue_start: int | None
    cue_end: int | None
    party_id: int | None
    speaker_text: str
    stance: str
    claim_id: int | None
    reviewed: bool  # accepted or rejected by an analyst, or recorded by one
    analyst_made: bool
    withdrawn: bool


@dataclass(frozen=True)
class Found:
    """A statement the analysis found in the new revision; `claim_id` None with `new_claim` for a claim it proposes."""

    start: int
    end: int
    cue_start: int | None
    cue_end: int | None
    party_id: int | None
    speaker_text: str
    stance: str
    claim_id: int | None
    new_claim: bool = False


@dataclass(frozen=True)
class Carry:
    """An earlier statement that moves to the new revision, at these offsets. `found` is the index of the new
    statement it is (None when only its unchanged words kept it); with `take_found`, it takes that one's reading
    (speaker, stance, claim, confidence): a pending machine statement, which nobody has looked at yet."""

    statement_id: int
    start: int
    end: int
    cue_start: int | None
    cue_end: int | None
    found: int | None = None
    take_found: bool = False


@dataclass
class Plan:
    carried: list[Carry]
    withdrawn: list[int]  # earlier statements no longer in the text (live ones only: the withdrawn stay as they are)
    new: list[int]  # indices of the found statements that are new


def supersession_plan(
    *, earlier: list[Earlier], found: list[Found], alignment_for: Callable[[int], Alignment],
    taken: frozenset[tuple] = frozenset(),
) -> Plan:
    """What becomes of each earlier statement and each found one (see the module's docstring). `found` holds no
    two statements alike (same span, speaker, claim and stance).

    `alignment_for(revision_id)` aligns that earlier revision's text onto the new one. `taken` holds the keys
    (start, end, party_id, speaker_text, claim_id, stance) of statements the new revision already has: an earlier
    statement that would land on one of them, on a new one or on another carried one is the same attribution, and
    is withdrawn rather than stored twice.
    """
    pairs = []
    for e in earlier:
        alignment = alignment_for(e.revision_id)
        words = alignment.mapped(e.start, e.end)
        size = max(len(alignment.old_indices(e.start, e.end)), 1)
        for index, f in enumerate(found):
            theirs = set(alignment.new_indices(f.start, f.end))
            if not words or not theirs:
                continue
            overlap = len(words & theirs) / min(size, len(theirs))
            tier = _tier(e, f, overlap)
            if tier is not None:
                pairs.append((tier, -overlap, e.withdrawn, e.id, index))
    pairs.sort()
    match_of: dict[int, int] = {}  # the best pairs first, each statement and each found one in one pair at most
    used: set[int] = set()
    for *_rank, statement_id, index in pairs:
        if statement_id not in match_of and index not in used:
            match_of[statement_id] = index
            used.add(index)
    new = [index for index in range(len(found)) if index not in used]

    carried, withdrawn = [], []
    keys = set(taken) | {_found_key(found[index], index) for index in new}
    for e in earlier:
        alignment = alignment_for(e.revision_id)
        kept = alignment.span(e.start, e.end)
        carry, key = None, None
        if e.id in match_of:
            index = match_of[e.id]
            f = found[index]
            start, end = kept if (kept and e.analyst_made) else (f.start, f.end)
            carry = Carry(e.id, start, end, f.cue_start, f.cue_end, found=index, take_found=not e.reviewed)
            key = _found_key(f, index) if carry.take_found else (start, end, e.party_id, e.speaker_text, e.claim_id,
                                                                  e.stance)
        elif kept is not None:
            cue = alignment.span(e.cue_start, e.cue_end) if e.cue_start is not None else None
            carry = Carry(e.id, *kept, *(cue or (None, None)))
            key = (*kept, e.party_id, e.speaker_text, e.claim_id, e.stance)
        if carry is not None and key not in keys:
            keys.add(key)
            carried.append(carry)
        elif not e.withdrawn:
            withdrawn.append(e.id)
    return Plan(carried=carried, withdrawn=withdrawn, new=new)


def _found_key(f: Found, index: int) -> tuple:
    # A claim the analysis proposes has no id yet: no other statement can share it.
    claim = ("new", index) if f.new_claim else f.claim_id
    return (f.start, f.end, f.party_id, f.speaker_text, claim, f.stance)


SAME = 0  # same speaker, stance and claim
SAME_SPEAKER = 1  # same speaker and stance: an analyst changed the claim, or the machine links elsewhere now
SAME_WORDS_ONLY = 2  # nearly the same words: an analyst changed the speaker or stance, or the machine reads it anew


def _tier(e: Earlier, f: Found, overlap: float) -> int | None:
    if overlap < SAME_WORDS:
        return None
    same_speaker = (e.party_id, e.speaker_text) == (f.party_id, f.speaker_text) and e.stance == f.stance
    if same_speaker and not f.new_claim and e.claim_id == f.claim_id:
        return SAME
    if same_speaker:
        return SAME_SPEAKER
    return SAME_WORDS_ONLY if overlap >= NEARLY_THE_SAME_WORDS else None
