"""Choice sets of the claims app, in the newsroom's words."""

from django.db import models


class PartyKind(models.TextChoices):
    STATE = "state", "State"
    GOVERNMENT_BODY = "government-body", "Government body"
    MINISTRY = "ministry", "Ministry"
    AGENCY = "agency", "Agency"
    MILITARY = "military", "Military"
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    INTERNATIONAL_BODY = "international-body", "International body"
    DE_FACTO_AUTHORITY = "de-facto-authority", "De facto authority"
    MEDIA = "media", "Media"
    ANONYMOUS = "anonymous", "Anonymous source"


class ClaimKind(models.TextChoices):
    FACTUAL = "factual", "Factual"
    ASSESSMENT = "assessment", "Assessment"


class Verdict(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    IN_REVIEW = "in_review", "In review"
    CONFIRMED = "confirmed", "Confirmed"
    FALSE = "false", "False"
    MISLEADING = "misleading", "Misleading"
    UNVERIFIABLE = "unverifiable", "Unverifiable"


class Stance(models.TextChoices):
    ASSERTS = "asserts", "Asserts"
    CONFIRMS = "confirms", "Confirms"
    DENIES = "denies", "Denies"
    QUESTIONS = "questions", "Questions"
    RETRACTS = "retracts", "Retracts"
    # A call, threat, refusal or opinion: attributed, but not a checkable claim.
    POSITION = "position", "Position"


SUPPORTING_STANCES = frozenset({Stance.ASSERTS, Stance.CONFIRMS})
OPPOSING_STANCES = frozenset({Stance.DENIES})


class Quotation(models.TextChoices):
    DIRECT = "direct", "Direct quote"
    INDIRECT = "indirect", "Indirect (reported speech)"
    MIXED = "mixed", "Mixed"


class Origin(models.TextChoices):
    EXTRACTED = "extracted", "Extracted by machine"
    ANALYST = "analyst", "Made by an analyst"


class ReviewState(models.TextChoices):
    PENDING = "pending", "Pending review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class EvidenceKind(models.TextChoices):
    LINK = "link", "Link"
    ARTICLE = "article", "Article"
    FILE = "file", "File"


class EvidenceRelation(models.TextChoices):
    SUPPORTS = "supports", "Supports the claim"
    REFUTES = "refutes", "Refutes the claim"
    CONTEXT = "context", "Context"


class NotificationKind(models.TextChoices):
    STATEMENT = "statement", "New statement"
    VERDICT = "verdict", "Verdict changed"
