"""The dependency audit (tools/audit.py) against a local index that answers like PyPI or like a mirror."""

from __future__ import annotations

import json

from tests.sources.conftest import Response, _serve
from tools import audit

VULN = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1", "GHSA-xxxx"], "fixed_in": ["2.0"], "withdrawn": None}
ALIAS = {"id": "GHSA-xxxx", "aliases": ["CVE-2099-1", "PYSEC-2099-1"], "fixed_in": ["2.0"], "withdrawn": None}
OLD = {"id": "PYSEC-2000-1", "aliases": [], "fixed_in": ["0.9"], "withdrawn": "2001-01-01T00:00:00Z"}


def _json(body: dict) -> Response:
    return Response(body=json.dumps(body), content_type="application/json")


def test_vulnerable_releases_fail_and_each_package_is_audited_or_named():
    server = _serve()
    site = next(server)
    try:
        # PyPI proper: the release's own document.
        site.add("/pypi/badlib/1.0/json", _json({"info": {"version": "1.0"}, "vulnerabilities": [VULN, ALIAS, OLD]}))
        # A mirror: no release documents; the project's, whose vulnerabilities are the latest release's.
        site.add("/pypi/latestlib/json", _json({"info": {"version": "3.1"}, "vulnerabilities": []}))
        site.add("/pypi/oldlib/json", _json({"info": {"version": "5.0"}, "vulnerabilities": []}))
        site.add("/pypi/stripped/json", _json({"info": {"version": "1.0"}}))
        packages = [("badlib", "1.0"), ("latestlib", "3.1"), ("oldlib", "4.2"), ("stripped", "1.0"), ("ghost", "0.1")]

        findings = {f.name: f for f in audit.audit(packages, index=site.url(""), ignore=set())}
        code, lines = audit.report(list(findings.values()), strict=False)

        assert code == 1
        assert [v["id"] for v in findings["badlib"].vulnerabilities] == ["PYSEC-2099-1"]  # aliases once, withdrawn not
        assert (findings["latestlib"].state, findings["latestlib"].source) == ("audited", "latest")
        assert "latest release (5.0) only" in findings["oldlib"].reason
        assert findings["stripped"].reason == "the index has no advisory data"
        assert "unknown to the index" in findings["ghost"].reason
        text = "\n".join(lines)
        assert "VULNERABLE badlib 1.0: PYSEC-2099-1" in text and "fixed in 2.0" in text
        assert "2 of 5 installed packages audited" in text and "3 packages were NOT audited" in text

        accepted = audit.audit(packages, index=site.url(""), ignore={"CVE-2099-1"})
        assert audit.report(accepted, strict=False)[0] == 0
        # --strict: an index that answers but has no advisory data at all is no audit.
        nothing = audit.audit([("stripped", "1.0")], index=site.url(""), ignore=set())
        assert audit.report(nothing, strict=False)[0] == 0
        code, lines = audit.report(nothing, strict=True)
        assert code == 1 and "audited nothing" in lines[-1]
    finally:
        server.close()


def test_an_unreachable_index_warns_loudly_and_does_not_fail():
    from tests.reliability.servers import free_port

    findings = audit.audit([("django", "5.2")], index=f"http://127.0.0.1:{free_port()}", ignore=set(), timeout=2)
    code, lines = audit.report(findings, strict=True)

    assert code == 0
    assert "could not be reached" in lines[-1] and "NOT audited" in lines[-1]


def test_the_installed_environment_is_listed_without_the_project_itself():
    names = dict(audit.installed())
    assert "django" in names and "celery" in names
    assert audit.PROJECT not in names
