"""The dependency audit's decisions (.ci/audit.py): allow-list expiry, findings, no database."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit.py"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_audit", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


ENTRY = """
[[exception]]
id = "GHSA-aaaa-bbbb-cccc"
package = "Django"
reason = "Only the admin's X is affected; we wait for 5.2.99."
expires = 2027-01-31
"""


def test_an_entry_holds_through_its_expiry_day(audit) -> None:
    allowed, problems = audit.load_allowlist(ENTRY, today=dt.date(2027, 1, 31))
    assert problems == []
    assert [(entry.id, entry.expires) for entry in allowed] == [
        ("GHSA-aaaa-bbbb-cccc", dt.date(2027, 1, 31))
    ]


def test_an_entry_past_its_expiry_day_is_a_problem_and_excuses_nothing(audit) -> None:
    allowed, problems = audit.load_allowlist(ENTRY, today=dt.date(2027, 2, 1))
    assert allowed == []
    assert problems == [
        "allow-list GHSA-aaaa-bbbb-cccc (Django) expired on 2027-01-31: fix the dependency or "
        "decide again and set a new date"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[exception]]\nid = "X"\npackage = "p"\nexpires = 2027-01-01\n', "missing reason"),
        ('[[exception]]\nid = "X"\npackage = "p"\nreason = "r"\n', "missing expires"),
        (
            '[[exception]]\nid = "X"\npackage = "p"\nreason = "r"\nexpires = "soon"\n',
            "expires is not a date",
        ),
    ],
)
def test_an_incomplete_entry_is_a_problem(audit, text, problem) -> None:
    allowed, problems = audit.load_allowlist(text, today=dt.date(2026, 1, 1))
    assert allowed == []
    assert len(problems) == 1
    assert problem in problems[0]


def test_a_date_written_as_text_is_read(audit) -> None:
    text = ENTRY.replace("2027-01-31", '"2027-01-31"')
    allowed, problems = audit.load_allowlist(text, today=dt.date(2027, 1, 1))
    assert (len(allowed), problems) == (1, [])


PIP_REPORT = {
    "dependencies": [
        {
            "name": "django",
            "version": "5.2.1",
            "vulns": [
                {"id": "PYSEC-1", "fix_versions": ["5.2.2"], "aliases": ["GHSA-aaaa-bbbb-cccc"]},
                {"id": "PYSEC-2", "fix_versions": [], "aliases": []},
            ],
        },
        {"name": "fieldcast", "skip_reason": "Dependency not installed from PyPI (editable)"},
    ]
}


def test_only_vulnerabilities_with_a_fix_count_and_the_list_excuses_by_alias(audit) -> None:
    findings = audit.python_findings(PIP_REPORT)
    assert [(f.package, f.ids, f.fix) for f in findings] == [
        ("django", ("PYSEC-1", "GHSA-aaaa-bbbb-cccc"), "5.2.2")
    ]
    allowed, _ = audit.load_allowlist(ENTRY, today=dt.date(2027, 1, 1))
    assert audit.unexcused(findings, allowed) == []
    assert audit.unexcused(findings, []) == findings
    assert audit.python_unaudited(PIP_REPORT) == (0, 2)


def test_a_database_that_did_not_answer_is_counted_not_passed(audit) -> None:
    report = {
        "dependencies": [
            {"name": "x", "skip_reason": "Dependency not found on PyPI and could not be audited"}
        ]
    }
    assert audit.python_findings(report) == []
    assert audit.python_unaudited(report) == (1, 1)
    assert audit.npm_unreachable({"message": "405 Method Not Allowed"}) == "405 Method Not Allowed"


def test_npm_findings_name_the_advisory(audit) -> None:
    report = {
        "vulnerabilities": {
            "hls.js": {
                "range": "<1.5.0",
                "via": [{"source": 1, "url": "https://github.com/advisories/GHSA-1111-2222-3333"}],
                "fixAvailable": {"name": "hls.js", "version": "1.7.0"},
            },
            "old": {"range": "*", "via": ["hls.js"], "fixAvailable": False},
        }
    }
    assert audit.npm_unreachable(report) is None
    assert [(f.package, f.ids, f.fix) for f in audit.npm_findings(report)] == [
        ("hls.js", ("GHSA-1111-2222-3333",), "hls.js 1.7.0")
    ]
