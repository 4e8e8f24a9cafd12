"""Writes of API tokens: issuing and revoking them; only a token's hash is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from claims.models import ApiToken
from core.enums import Role
from core.roles import has_role, require_role

TOKEN_PREFIX = "ctk_"  # noqa: S105 -- a label every token starts with, not a secret


def api_token_hash(raw: str) -> str:
    """SHA-256 of a token, hex; tokens are 256 random bits, so a fast hash is enough to store them."""
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user, name: str, read_write: bool = False, actor=None) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns (token, the token in clear). The clear text is never stored.

    Who: the user themself, or an admin for anyone (`actor` None means the command line, which is
    trusted). A read-write token needs a user with a role that can write (analyst or up), since
    the token would otherwise promise more than it can do.
    """
    if actor is not None and actor.pk != user.pk:
        require_role(actor, Role.ADMIN, action="Making a token for someone else")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["a token needs a name saying what it is for"]})
    if read_write and not has_role(user, Role.ANALYST):
        raise ValidationError({"read_write": [f"{user} has no role that can write; make a read-only token"]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[: len(TOKEN_PREFIX) + 8], key_hash=api_token_hash(raw),
        read_write=read_write,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor=None, using: ApiToken | None = None) -> ApiToken:
    """Revoke a token at once: every later request with it gets 401, its webhooks stop.

    `using` is the token the request came with, if any: a read-only token may revoke itself and no
    other (it can read, so it must not be able to end its owner's read-write tools).
    """
    if actor is not None and actor.pk != token.user_id:
        require_role(actor, Role.ADMIN, action="Revoking someone else's token")
    if using is not None and not using.read_write and using.pk != token.pk:
        raise PermissionDenied("a read-only token may revoke itself only; revoke other tokens with a read-write token")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token
