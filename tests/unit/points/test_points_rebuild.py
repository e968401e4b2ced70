"""points_rebuild: recompute totals from the ledger and report differences."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fieldcast.points.models import PointsAccount, PointsPeriodTotal
from fieldcast.points.services import points_award

pytestmark = pytest.mark.django_db


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("points_rebuild", *args, "--json", stdout=out)
    return out.getvalue().strip().splitlines()


def test_rebuild_reports_zero_differences_when_caches_agree(reporter, viewer) -> None:
    # given a consistent ledger
    points_award(user=reporter, rule="video_published", obj="v", key="vp:1")
    points_award(user=viewer, rule="comment", obj="c", key="c:1")

    # when the rebuild runs
    lines = _run()

    # then it reports no difference and changed nothing
    summary = json.loads(lines[-1])
    assert summary == {
        "ledger_rows": 2,
        "users": 2,
        "total_differences": 0,
        "period_differences": 0,
        "fixed": False,
        "seconds": summary["seconds"],
    }


def test_rebuild_reports_and_fixes_a_drifted_total(reporter) -> None:
    # given a cached total that drifted from the ledger (someone wrote it by hand)
    points_award(user=reporter, rule="video_published", obj="v", key="vp:1")
    PointsAccount.objects.filter(user=reporter).update(total=999, level=9)
    PointsPeriodTotal.objects.filter(user=reporter, period="week").update(points=5)

    # when the rebuild runs
    lines = _run()

    # then the difference is reported and the caches are back to the ledger's sums
    assert f"user {reporter.pk}: cached total 999, ledger 10" in lines
    summary = json.loads(lines[-1])
    assert (summary["total_differences"], summary["period_differences"], summary["fixed"]) == (
        1,
        1,
        True,
    )
    account = PointsAccount.objects.get(user=reporter)
    assert (account.total, account.level) == (10, 1)
    assert PointsPeriodTotal.objects.get(user=reporter, period="week").points == 10
    assert json.loads(_run()[-1])["total_differences"] == 0


def test_rebuild_check_only_reports(reporter) -> None:
    points_award(user=reporter, rule="video_published", obj="v", key="vp:1")
    PointsAccount.objects.filter(user=reporter).update(total=3)

    with pytest.raises(CommandError):
        call_command("points_rebuild", "--check", stdout=StringIO())

    assert PointsAccount.objects.get(user=reporter).total == 3
