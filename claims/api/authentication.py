"""API token authentication: `Authorization: Bearer <token>`; the token is looked up by its SHA-256."""

from __future__ import annotations

import functools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions

from claims.models import ApiToken
from claims.services import api_token_hash

# last_used_at is written at most this often per token, so reads do not turn into a write each.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@functools.cache
def _token_sql() -> tuple[str, list[str], list[str]]:
    user_model = get_user_model()
    token_fields, user_fields = ApiToken._meta.concrete_fields, user_model._meta.concrete_fields
    columns = ", ".join([*(f"t.{f.column}" for f in token_fields), *(f"u.{f.column}" for f in user_fields)])
    sql = (
        f"SELECT {columns}, ARRAY(SELECT g.name FROM auth_group g "  # noqa: S608 -- names from the models
        f"JOIN {user_model.groups.through._meta.db_table} ug ON ug.group_id = g.id WHERE ug.user_id = u.id) "
        f"FROM {ApiToken._meta.db_table} t JOIN {user_model._meta.db_table} u ON u.id = t.user_id "
        "WHERE t.key_hash = %s"
    )
    return sql, [f.attname for f in token_fields], [f.attname for f in user_fields]


def _token_with_user(key_hash: str) -> ApiToken | None:
    """The token, its user and the user's group names (their role), in one query.

    Hand-written because it runs for every API request: building the same query through the ORM (a join and an
    array subquery) took longer than PostgreSQL took to answer it.
    """
    sql, token_fields, user_fields = _token_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(token_fields)
    token = ApiToken.from_db(connection.alias, token_fields, row[:n])
    token.user = get_user_model().from_db(connection.alias, user_fields, row[n:n + len(user_fields)])
    token.user.group_names = frozenset(row[-1])  # read by core.roles.user_role
    return token


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
        token = _token_with_user(api_token_hash(raw))
        if token is None:
            raise exceptions.AuthenticationFailed("the token is not valid")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("the token has been revoked")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("the token's user is inactive")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
