"""Plain data passed into and out of the analysis package."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Stance = Literal["asserts", "confirms", "denies", "questions", "retracts", "position"]


@dataclass(frozen=True)
class KnownParty:
    """A party the caller already knows, with the names the texts may use for it."""

    id: str
    name: str
    kind: str = ""
    parent: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextSpan:
    """Character offsets into the analysed text, end exclusive, with the text itself."""

    start: int
    end: int
    text: str


@dataclass
class ExtractedStatement:
    """One attributed statement found in a text."""

    speaker: TextSpan | None
    party_id: str | None
    # Set when no known party fits: the name an analyst would create the party under.
    proposed_party: str | None
    cue: list[TextSpan]
    content: list[TextSpan]
    direct: bool
    stance: Stance
    confidence: float
    # Groups statements that report the same claim; None for positions.
    claim_key: str | None = None
    # The wording claim matching compares (content, with the accused party for accusations).
    claim_text: str = ""
    # True when the content only points back at an earlier claim ("denied the claim").
    anaphoric: bool = False
    # Party the statement accuses or is about, when the construction names one.
    target_party_id: str | None = None
    # The kind of party `proposed_party` names (person, organisation, state, government-body, military, media,
    # anonymous), from the named-entity label and the head noun.
    proposed_kind: str = ""
    # Whether the content is a declarative clause (finite verb with its subject) that can stand as a claim.
    clause: bool = False
    # The claim as an analyst would write it: the content's clause in positive form, pronouns resolved where
    # the text allows, about 25 words at most; "" when the content is no claim (a noun phrase, a fragment).
    claim_wording: str = ""
    extra: dict[str, object] = field(default_factory=dict)
