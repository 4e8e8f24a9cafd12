"""Errors that services raise and both apps' pages and API answer the same way."""

from django.core.exceptions import ValidationError


class StaleVersion(Exception):
    """The caller edited an older version of the row than the one stored: someone else changed it first."""

    def __init__(self, *, current_version: int, what: str = "claim"):
        super().__init__(f"this {what} has changed since you loaded it (now version {current_version})")
        self.current_version = current_version


class VerdictUnchanged(ValidationError):
    """The claim already has the verdict asked for: nothing to record (the API answers 409, a page a form error)."""
