"""Resolve a speaker's words to a known party through names, aliases, demonyms and the hierarchy."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from claims.analysis.lexicon import DEMONYMS, SPELLINGS
from claims.analysis.records import KnownParty
from core.stages import pipeline_stage

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_LEADING = re.compile(r"^(?:the|a|an|both|all|its|their|his|her)\s+")
_STOP = frozenset({"the", "a", "an", "of", "and", "'s", "s", "for", "both", "its", "their"})
_PUNCT = re.compile(r"[^\w\s'.-]")


def normalise_name(text: str) -> str:
    """Fold case, apostrophes, possessives and spelling so that mentions compare equal."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    text = re.sub(r"'s\b|s'(?=\s|$)", lambda m: "" if m.group(0) == "'s" else "s", text)
    text = _PUNCT.sub(" ", text.replace("'", " "))
    words = [SPELLINGS.get(w, w) for w in text.split()]
    text = " ".join(words).strip(" .-")
    while True:
        stripped = _LEADING.sub("", text)
        if stripped == text:
            return text
        text = stripped


def name_tokens(text: str) -> frozenset[str]:
    """Content words of a name with demonyms turned into their country ("Azeri" -> "azerbaijan")."""
    words: list[str] = []
    for word in normalise_name(text).split():
        if word in _STOP:
            continue
        words.extend(DEMONYMS.get(word, word).split())
    return frozenset(words)


@dataclass(frozen=True)
class Resolution:
    """The party a mention resolved to, or None, and how sure the match is (0..1)."""

    party_id: str | None
    score: float


class PartyResolver:
    """Looks mentions up among known parties; the analysis only reads it, so one can serve many articles.

    Where two names compete (the same normalised name, or alias words that a mention contains equally
    well) the party given first wins, and among one party's names its name, then its aliases in order.
    `add` extends a resolver with parties given later, or later aliases of a party it has; the lookups are
    then exactly those of a resolver built from all of them at once (a test compares the two).
    """

    @pipeline_stage("party index")
    def __init__(self, parties: Iterable[KnownParty]) -> None:
        self.parties: dict[str, KnownParty] = {}
        self._position: dict[str, int] = {}
        # A name's rank is (its party's position, its place among the party's names): the lowest one wins.
        self._exact: dict[str, str] = {}
        self._exact_rank: dict[str, tuple[int, int]] = {}
        self._token_sets: list[tuple[frozenset[str], str]] = []  # in rank order: the first of equals wins
        self._token_ranks: list[tuple[int, int]] = []
        self._children: dict[str, list[str]] = {}
        self._extend({p.id: p for p in parties}.values())

    @pipeline_stage("party index")
    def add(self, parties: Iterable[KnownParty]) -> None:
        """Take in parties after those already known, and aliases added to known parties (appended to the party's
        aliases: the known ones unchanged, in the same order). Any other change to a known party (name, kind,
        parent, an alias removed or changed) raises ValueError: that needs a new resolver."""
        self._extend(parties)

    def _extend(self, parties: Iterable[KnownParty]) -> None:
        for party in parties:
            known = self.parties.get(party.id)
            if known is None:
                position, first, names = len(self.parties), 0, (party.name, *party.aliases)
                self._position[party.id] = position
                if party.parent:
                    self._children.setdefault(party.parent, []).append(party.id)
            else:
                kept = len(known.aliases)
                if (party.name, party.kind, party.parent, tuple(party.aliases[:kept])) != (
                    known.name, known.kind, known.parent, tuple(known.aliases)
                ):
                    raise ValueError(f"party {party.id} has changed, not only gained aliases: build a new resolver")
                position, first, names = self._position[party.id], 1 + kept, tuple(party.aliases[kept:])
            self.parties[party.id] = party
            for offset, name in enumerate(names):
                rank = (position, first + offset)
                key = normalise_name(name)
                if key and (key not in self._exact or rank < self._exact_rank[key]):
                    self._exact[key], self._exact_rank[key] = party.id, rank
                tokens = name_tokens(name)
                if tokens:
                    at = bisect.bisect_right(self._token_ranks, rank)
                    self._token_ranks.insert(at, rank)
                    self._token_sets.insert(at, (tokens, party.id))

    def resolve(self, mention: str) -> Resolution:
        """Best known party for a mention: exact alias, else the most specific alias it contains."""
        key = normalise_name(mention)
        if not key:
            return Resolution(None, 0.0)
        if key in self._exact:
            return Resolution(self._exact[key], 1.0)
        tokens = name_tokens(mention)
        best_id, best_len, best_cover = None, 0, 0.0
        for alias_tokens, party_id in self._token_sets:
            if alias_tokens <= tokens:
                cover = len(alias_tokens) / len(tokens)
                if (len(alias_tokens), cover) > (best_len, best_cover):
                    best_id, best_len, best_cover = party_id, len(alias_tokens), cover
        if best_id is None:
            return Resolution(None, 0.0)
        # "The military of X" where X is known: prefer X's child whose kind or name the mention adds.
        leftover = tokens - self._tokens_of(best_id)
        for child_id in self._children.get(best_id, []):
            child = self.parties[child_id]
            child_words = name_tokens(child.name) | {child.kind}
            if leftover and leftover <= child_words:
                return Resolution(child.id, 0.8)
        return Resolution(best_id, 0.6 + 0.4 * best_cover)

    def containing(self, tokens: frozenset[str]) -> list[str]:
        """Parties one of whose names has all these words and more ("Haddad" in "Abdullah Haddad"), in rank order."""
        if not tokens:
            return []
        found = dict.fromkeys(pid for alias_tokens, pid in self._token_sets if tokens < alias_tokens)
        return list(found)

    def _tokens_of(self, party_id: str) -> frozenset[str]:
        words: set[str] = set()
        for tokens, pid in self._token_sets:
            if pid == party_id:
                words |= tokens
        return frozenset(words)

    def ancestors(self, party_id: str) -> list[str]:
        """The party and its parents, nearest first."""
        chain: list[str] = []
        current: str | None = party_id
        while current and current not in chain:
            chain.append(current)
            party = self.parties.get(current)
            current = party.parent if party else None
        return chain

    def kind(self, party_id: str | None) -> str:
        party = self.parties.get(party_id or "")
        return party.kind if party else ""

    def name(self, party_id: str | None) -> str:
        party = self.parties.get(party_id or "")
        return party.name if party else ""


def proposed_name(mention: str) -> str:
    """A clean name for a party the analysts do not know yet."""
    text = " ".join(unicodedata.normalize("NFKC", mention).translate(_APOSTROPHES).split())
    # Markup and list marks left at the edges by extraction (">Sanders", "- Haddad") are not the name.
    text = re.sub(r"^[\W_]+|[^\w.)]+$", "", text)
    # A dateline the parse ran into the subject ("OSLO - European leaders") is the place, not the speaker's name.
    text = _DATELINE_LEAD.sub("", text)
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)
    return text[:1].upper() + text[1:]


_DATELINE_LEAD = re.compile(
    r"^(?=[A-Z.' ]*[A-Z]{3})[A-Z][A-Z.' ]*[A-Z.](?:,[^,\u2014\u2013]{1,30})?\s+(?:-{1,2}|\u2013|\u2014)\s+(?=\S)"
)
