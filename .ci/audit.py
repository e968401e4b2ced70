#!/usr/bin/env python3
"""Dependency audit for CI: pip-audit (the Python environment) and npm audit (frontend/).

Fails (exit 1) on a known vulnerability that has a fix available, unless `.ci/audit-allowlist.toml`
lists it with a reason and an expiry date that has not passed; fails on an expired or incomplete
allow-list entry. When an advisory database cannot be reached (CI machines without internet),
it says so in capitals instead of "no known vulnerabilities": nothing was checked, and that is
not a pass. Set AUDIT_REQUIRE_DATABASE=1 to make that a failure too (exit 2).

Run from the repository root: `.venv/bin/python .ci/audit.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / ".ci" / "audit-allowlist.toml"


@dataclass(frozen=True)
class Finding:
    ecosystem: str  # "python" or "npm"
    package: str
    version: str
    ids: tuple[str, ...]  # the advisory id first, then its aliases
    fix: str  # the versions that fix it, as the tool says


@dataclass(frozen=True)
class Allowance:
    id: str
    package: str
    reason: str
    expires: dt.date


def load_allowlist(text: str, *, today: dt.date) -> tuple[list[Allowance], list[str]]:
    """The entries still in force, and every problem with the file (expired, incomplete)."""
    data = tomllib.loads(text)
    entries: list[Allowance] = []
    problems: list[str] = []
    for number, raw in enumerate(data.get("exception", []), start=1):
        name = raw.get("id") or f"entry {number}"
        missing = [key for key in ("id", "package", "reason", "expires") if not raw.get(key)]
        if missing:
            problems.append(f"allow-list {name}: missing {', '.join(missing)}")
            continue
        expires = raw["expires"]
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                problems.append(f"allow-list {name}: expires is not a date (YYYY-MM-DD)")
                continue
        if isinstance(expires, dt.datetime):
            expires = expires.date()
        if not isinstance(expires, dt.date):
            problems.append(f"allow-list {name}: expires is not a date (YYYY-MM-DD)")
            continue
        if today > expires:
            problems.append(
                f"allow-list {name} ({raw['package']}) expired on {expires.isoformat()}: "
                "fix the dependency or decide again and set a new date"
            )
            continue
        entries.append(Allowance(str(raw["id"]), str(raw["package"]), str(raw["reason"]), expires))
    return entries, problems


def python_findings(report: dict) -> list[Finding]:
    """pip-audit's JSON: vulnerabilities that a newer release fixes."""
    found = []
    for dep in report.get("dependencies", []):
        for vuln in dep.get("vulns", []):
            if vuln.get("fix_versions"):
                found.append(
                    Finding(
                        "python",
                        dep["name"],
                        dep.get("version", "?"),
                        (vuln["id"], *vuln.get("aliases", [])),
                        ", ".join(vuln["fix_versions"]),
                    )
                )
    return found


def python_unaudited(report: dict) -> tuple[int, int]:
    """(dependencies pip-audit could not look up, all dependencies)."""
    deps = report.get("dependencies", [])
    # Only lookups that failed: an editable checkout (Fieldcast itself) is skipped on purpose.
    failed = [dep for dep in deps if "could not be audited" in str(dep.get("skip_reason", ""))]
    return len(failed), len(deps)


def npm_findings(report: dict) -> list[Finding]:
    """npm audit's JSON (report version 2): vulnerable packages with a fix available."""
    found = []
    for name, vuln in (report.get("vulnerabilities") or {}).items():
        fix = vuln.get("fixAvailable")
        if not fix:
            continue
        ids = []
        for via in vuln.get("via", []):
            if isinstance(via, dict):
                url = str(via.get("url") or "")
                ids.append(url.rstrip("/").rsplit("/", 1)[-1] if url else str(via.get("source")))
        fix_text = f"{fix['name']} {fix['version']}" if isinstance(fix, dict) else "npm audit fix"
        found.append(
            Finding("npm", name, str(vuln.get("range", "?")), tuple(ids) or (name,), fix_text)
        )
    return found


def npm_unreachable(report: dict) -> str | None:
    """Why npm audit had no answer (the registry's advisory endpoint failed), or None."""
    if "vulnerabilities" in report:
        return None
    return str(report.get("message") or report.get("error") or "no audit report")


def unexcused(findings: list[Finding], allowed: list[Allowance]) -> list[Finding]:
    def excused(finding: Finding) -> bool:
        return any(
            entry.id in finding.ids and entry.package.lower() == finding.package.lower()
            for entry in allowed
        )

    return [finding for finding in findings if not excused(finding)]


def _run(argv: list[str], cwd: Path) -> dict:
    completed = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        return json.loads(completed.stdout or "{}")
    except ValueError:
        return {"message": (completed.stderr or completed.stdout).strip()[-500:]}


def main() -> int:
    today = dt.datetime.now(dt.UTC).date()
    allowed, problems = load_allowlist(
        ALLOWLIST.read_text("utf-8") if ALLOWLIST.exists() else "", today=today
    )
    pip_audit = Path(sys.executable).with_name("pip-audit")
    python = _run(
        [str(pip_audit), "--local", "--skip-editable", "--format", "json",
         "--progress-spinner", "off", "--timeout", "15"],
        ROOT,
    )  # fmt: skip
    npm = _run(["npm", "audit", "--omit=dev", "--json"], ROOT / "frontend")

    findings = python_findings(python) + npm_findings(npm)
    failing = unexcused(findings, allowed)
    unreachable = []
    skipped, total = python_unaudited(python)
    if total == 0 or skipped:
        unreachable.append(
            f"Python: {skipped} of {total} dependencies could not be looked up "
            f"({python.get('message', 'the PyPI vulnerability service did not answer')})"
        )
    npm_reason = npm_unreachable(npm)
    if npm_reason:
        unreachable.append(f"npm: {npm_reason}")

    for finding in failing:
        print(
            f"VULNERABLE {finding.ecosystem} {finding.package} {finding.version}: "
            f"{' / '.join(finding.ids)} (fixed in {finding.fix})"
        )
    for problem in problems:
        print(f"ALLOW-LIST {problem}")
    for line in unreachable:
        print(f"COULD NOT REACH THE ADVISORY DATABASE: {line}. NOT AUDITED.")
    if failing or problems:
        return 1
    if unreachable and os.environ.get("AUDIT_REQUIRE_DATABASE") == "1":
        return 2
    if not unreachable:
        print(f"audit: no fixable known vulnerability ({len(findings)} allowed by the list)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
