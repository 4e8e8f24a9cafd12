"""Dependency audit against PyPI's advisory data (the PyPA advisory database, as PyPI publishes it):
`make audit`, or `python -m tools.audit [--strict] [--ignore-vuln ID ...]`.

Every installed distribution (the project itself excepted) is looked up in the index's JSON API:

1. `/pypi/NAME/VERSION/json` (what pip-audit asks): the advisories of exactly that release;
2. if the index does not serve that (a caching mirror keeps only the project documents),
   `/pypi/NAME/json`: its `vulnerabilities` are those of the *latest* release, so they audit the installed
   one only when it is the latest; otherwise the package is listed as NOT audited, with the reason.

Exit 1 when a known, not withdrawn, not ignored vulnerability affects an installed release. An index that
cannot be reached is reported loudly and does not fail (`make test` never needs the outside network);
with --strict (CI) a reachable index that audited nothing (no advisory data at all) fails too.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
from dataclasses import dataclass, field
from importlib import metadata

import httpx
from packaging.utils import canonicalize_name

PROJECT = "claims-tracker"


@dataclass
class Finding:
    name: str
    version: str
    state: str  # audited | vulnerable | unaudited | unreachable
    source: str = ""  # release | latest
    reason: str = ""
    vulnerabilities: list[dict] = field(default_factory=list)


def installed() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"] or "")
        if name and name != PROJECT:
            seen[name] = dist.version
    return sorted(seen.items())


def _affecting(vulns: list[dict], ignore: set[str]) -> list[dict]:
    """The advisories that count: not withdrawn, not ignored, each once (PYSEC and GHSA ids alias each other)."""
    live, seen = [], set()
    for vuln in vulns:
        ids = {vuln.get("id", ""), *vuln.get("aliases", [])}
        if vuln.get("withdrawn") or ids & ignore or ids & seen:
            continue
        seen |= ids
        live.append({"id": vuln.get("id"), "fixed_in": vuln.get("fixed_in", []), "aliases": vuln.get("aliases", [])})
    return live


def check(client: httpx.Client, name: str, version: str, ignore: set[str]) -> Finding:
    try:
        release = client.get(f"/pypi/{name}/{version}/json")
        if release.status_code == 200 and "vulnerabilities" in release.json():
            vulns = _affecting(release.json()["vulnerabilities"], ignore)
            return Finding(name, version, "vulnerable" if vulns else "audited", "release", vulnerabilities=vulns)
        project = client.get(f"/pypi/{name}/json")
    except (httpx.HTTPError, ValueError) as exc:
        return Finding(name, version, "unreachable", reason=type(exc).__name__)
    if project.status_code != 200:
        return Finding(name, version, "unaudited", reason=f"unknown to the index (HTTP {project.status_code})")
    try:
        document = project.json()
    except ValueError:
        return Finding(name, version, "unaudited", reason="the index answered something that is not JSON")
    if "vulnerabilities" not in document:
        return Finding(name, version, "unaudited", reason="the index has no advisory data")
    latest = document.get("info", {}).get("version")
    if latest != version:
        return Finding(name, version, "unaudited",
                       reason=f"the index has advisory data for the latest release ({latest}) only")
    vulns = _affecting(document["vulnerabilities"], ignore)
    return Finding(name, version, "vulnerable" if vulns else "audited", "latest", vulnerabilities=vulns)


def audit(packages: list[tuple[str, str]], *, index: str, ignore: set[str], timeout: float = 20) -> list[Finding]:
    with httpx.Client(base_url=index, timeout=timeout, follow_redirects=True) as client, \
            concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda item: check(client, *item, ignore), packages))


def report(findings: list[Finding], *, strict: bool) -> tuple[int, list[str]]:
    by = {state: [f for f in findings if f.state == state] for state in ("audited", "vulnerable", "unaudited",
                                                                         "unreachable")}
    lines = []
    for finding in by["vulnerable"]:
        for vuln in finding.vulnerabilities:
            fixed = ", ".join(vuln["fixed_in"]) or "no fixed release"
            lines.append(f"VULNERABLE {finding.name} {finding.version}: {vuln['id']} "
                         f"({', '.join(vuln['aliases']) or 'no aliases'}); fixed in {fixed}")
    if findings and len(by["unreachable"]) == len(findings):
        lines.append(f"audit: WARNING the package index could not be reached ({findings[0].reason}); "
                     "dependencies were NOT audited.")
        return 0, lines
    audited = len(by["audited"]) + len(by["vulnerable"])
    lines.append(f"audit: {audited} of {len(findings)} installed packages audited against PyPI's advisory data, "
                 f"{len(by['vulnerable'])} vulnerable.")
    missing = by["unaudited"] + by["unreachable"]
    if missing:
        lines.append(f"audit: WARNING {len(missing)} packages were NOT audited:")
        lines += [f"  {f.name} {f.version}: {f.reason}" for f in missing]
    if by["vulnerable"]:
        lines.append("audit: FAILED, vulnerable dependencies above (upgrade, or accept one with --ignore-vuln ID "
                     "and the reason beside it in the Makefile).")
        return 1, lines
    if strict and audited == 0:
        lines.append("audit: FAILED (--strict): the index answered but audited nothing; it has no advisory data.")
        return 1, lines
    return 0, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", default=os.environ.get("AUDIT_INDEX_URL", "https://pypi.org"),
                        help="a PyPI JSON API (default https://pypi.org, or AUDIT_INDEX_URL)")
    parser.add_argument("--ignore-vuln", action="append", default=[], metavar="ID")
    parser.add_argument("--strict", action="store_true", help="also fail when a reachable index audited nothing")
    parser.add_argument("--package", action="append", default=[], metavar="NAME==VERSION",
                        help="audit these releases instead of the installed ones")
    args = parser.parse_args(argv)
    packages = [tuple(p.split("==", 1)) for p in args.package] if args.package else installed()
    if any(len(p) != 2 or not all(p) for p in packages):
        parser.error("--package takes NAME==VERSION")
    code, lines = report(audit(packages, index=args.index, ignore=set(args.ignore_vuln)), strict=args.strict)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
