"""API token authentication: `Authorization: Bearer <token>`; the token is looked up by its SHA-256."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils import timezone
from rest_framework import authentication, exceptions

from claims.models import ApiToken
from claims.services import api_token_hash

# last_used_at is written at most this often per token, so reads do not turn into a write each.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("the Authorization header must be 'Bearer <token>'")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("the token is not valid") from None
        # The user's groups (their role) come with the token: one query per request instead of two.
        group_names = ArraySubquery(Group.objects.filter(user=OuterRef("user_id")).values("name"))
        token = (
            ApiToken.objects.select_related("user").annotate(group_names=group_names)
            .filter(key_hash=api_token_hash(raw)).first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("the token is not valid")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("the token has been revoked")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("the token's user is inactive")
        token.user.group_names = frozenset(token.group_names)  # read by claims.roles.user_role
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
