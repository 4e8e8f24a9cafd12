"""manage.py api_token: create prints a working token once, list shows it, revoke ends it."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from claims.models import ApiToken


def _call(*args) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_list_revoke(world, analyst):
    raw = _call("create", "--user", "ana-analyst", "--name", "Desk tool", "--read-write").strip()
    token = ApiToken.objects.get(user=analyst)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert (token.read_write, token.prefix, raw.startswith("ctk_")) == (True, raw[:12], True)
    assert client.patch(f"/api/v1/claims/{world['unpublished'].pk}/", {"tags": ["x"]}, format="json").status_code == 200
    assert f"{token.pk}\t{token.prefix}…\tana-analyst\tDesk tool\tread-write\tactive" in _call("list")

    assert _call("revoke", token.prefix) == f"Revoked token {token.pk} ({token.prefix}…) of ana-analyst.\n"
    assert client.get("/api/v1/claims/").status_code == 401


def test_create_is_read_only_by_default_and_refuses_unknown_users(world, editor):
    raw = _call("create", "--user", "ed-editor", "--name", "Feed").strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    answer = client.post(f"/api/v1/claims/{world['unpublished'].pk}/verdict/", {"verdict": "false", "rationale": "r"})
    assert (answer.status_code, ApiToken.objects.get(user=editor).read_write) == (403, False)
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        _call("create", "--user", "nobody", "--name", "x")
