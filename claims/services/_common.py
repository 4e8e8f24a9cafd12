"""What the service modules share: the check of a choice value."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def _choice(value: str, choices: type, what: str) -> str:
    if value not in choices.values:
        raise ValidationError(f"unknown {what} {value!r}; expected one of: {', '.join(choices.values)}")
    return value
