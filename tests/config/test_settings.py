"""Settings come from the environment and refuse bad or unsafe values loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_url

REPO = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 50


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "APP_ENV", "ALLOWED_HOSTS"}}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.DATABASES['default']['NAME'])"],
        cwd=REPO, env=environ, capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _load_settings(APP_ENV="production", ALLOWED_HOSTS="claims.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when APP_ENV=production" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = _load_settings(APP_ENV="production", SECRET_KEY=GOOD_KEY, DEBUG="1", ALLOWED_HOSTS="claims.example")
    assert result.returncode != 0
    assert "DEBUG must be off when APP_ENV=production" in result.stderr


def test_production_starts_with_what_it_needs():
    result = _load_settings(
        APP_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="claims.example",
        DATABASE_URL="postgres://tracker:pw@db.internal:5432/tracker",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['claims.example'] tracker"


def test_a_mistyped_boolean_fails_loudly():
    result = _load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_a_database_url_of_another_engine_is_refused():
    result = _load_settings(DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode != 0
    assert "DATABASE_URL must start with one of postgres://, postgresql://" in result.stderr


@pytest.mark.parametrize("raw, expected", [("1", True), ("TRUE", True), ("off", False), ("", False)])
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("N", "12")
    monkeypatch.setenv("HOSTS", " a.example, b.example ,,")
    assert (env_int("N", 1), env_int("MISSING", 7), env_list("HOSTS", [])) == (12, 7, ["a.example", "b.example"])
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfiguredEnv, match="N='twelve' is not a whole number"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfiguredEnv, match="N=0 is below the minimum of 1"):
        env_int("N", 1, minimum=1)


def test_env_url(monkeypatch):
    monkeypatch.setenv("U", "redis://127.0.0.1:6379/0")
    assert env_url("U", schemes=("redis",)) == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("U", "  ")
    assert env_url("U", schemes=("redis",)) is None
