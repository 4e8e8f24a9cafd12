"""The docker-compose shape is valid against the Compose specification, offline."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def test_compose_file_validates_against_the_compose_specification():
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    result = subprocess.run(  # noqa: S603 -- a fixed tool on a file of ours
        [checker, "--builtin-schema", "vendor.compose-spec", str(REPO / "docker-compose.yml")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_every_part_with_healthchecks_and_volumes():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]

    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    assert services["postgres"]["image"].startswith("pgvector/pgvector:")
    assert {name for name, s in services.items() if "healthcheck" in s} == {"postgres", "redis", "web", "worker"}
    assert set(compose["volumes"]) == {"postgres-data", "redis-data"}
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["APP_ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgres://tracker:")
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # no default secret baked in
