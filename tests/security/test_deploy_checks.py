"""Django's `check --deploy` is clean with production settings, and the production cookies are locked down."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    env.update(
        APP_ENV="production", SECRET_KEY="production-" + "Qz7!rT2#" * 6, ALLOWED_HOSTS="claims.example.org",
        DATABASE_URL="postgres://tracker:secret@127.0.0.1:1/tracker", REDIS_URL="redis://127.0.0.1:1/0",
        **extra,
    )
    return env


def _run(code_or_args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 -- our own interpreter and manage.py
        [sys.executable, *code_or_args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_and_headers_are_strict():
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS > 0, s.X_FRAME_OPTIONS, s.DEBUG)")
    env = _production_env(DJANGO_SETTINGS_MODULE="config.settings")

    result = _run(["-c", code], env)

    assert result.stdout.split() == ["True", "True", "True", "True", "True", "DENY", "False"], result.stderr
