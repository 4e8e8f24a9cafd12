"""Resolve a speaker's words to a known party through names, aliases, demonyms and the hierarchy."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from claims.analysis.lexicon import DEMONYMS, SPELLINGS
from claims.analysis.records import KnownParty

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
    """Looks mentions up among known parties; built once per run, read-only afterwards."""

    def __init__(self, parties: Iterable[KnownParty]) -> None:
        self.parties: dict[str, KnownParty] = {p.id: p for p in parties}
        self._exact: dict[str, str] = {}
        self._token_sets: list[tuple[frozenset[str], str]] = []
        for party in self.parties.values():
            for name in (party.name, *party.aliases):
                key = normalise_name(name)
                if key:
                    self._exact.setdefault(key, party.id)
                tokens = name_tokens(name)
                if tokens:
                    self._token_sets.append((tokens, party.id))
        self._children: dict[str, list[KnownParty]] = {}
        for party in self.parties.values():
            if party.parent:
                self._children.setdefault(party.parent, []).append(party)

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
        for child in self._children.get(best_id, []):
            child_words = name_tokens(child.name) | {child.kind}
            if leftover and leftover <= child_words:
                return Resolution(child.id, 0.8)
        return Resolution(best_id, 0.6 + 0.4 * best_cover)

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
    text = unicodedata.normalize("NFKC", mention).translate(_APOSTROPHES).strip(" ,.;:\"'")
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)
    return text[:1].upper() + text[1:]
