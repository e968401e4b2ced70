"""Deeds decided in moderation and live ingest pay (or cost) points once, through the points
services: original footage, removal after review (with reversals), upheld reports, appeals
granted, live sources approved; the rules other helpers call exist."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from fieldcast.points import services as points_services
from fieldcast.points.models import PointEvent, PointsAccount
from ingest import services as ingest_services
from ingest.models import LiveSource
from moderation import services
from moderation.models import Case
from tests.factories import UserFactory, VideoFactory
from tests.unit.moderation.factories import pending_case

pytestmark = pytest.mark.django_db


def _checks(video, *, similar: list | None = None) -> None:
    services.checks_record(
        video_id=video.pk,
        version=1,
        term_matches=[],
        technical={},
        technical_flags=[],
        hashes=[],
        similar=similar or [],
    )


def _ledger(user) -> list[tuple[str, int, str]]:
    return list(
        PointEvent.objects.filter(user=user).order_by("pk").values_list("rule", "points", "key")
    )


def _total(user) -> int:
    return PointsAccount.objects.get(user=user).total


def _consistent(user) -> bool:
    summed = PointEvent.objects.filter(user=user).aggregate(s=Sum("points"))["s"] or 0
    return summed == _total(user)


def _approved(editor, *, original: bool = True):
    case = pending_case(title="Flooded bridge")
    if original:
        _checks(case.video)
    services.case_decide(case_id=case.pk, editor=editor, decision="approve")
    case.video.refresh_from_db()
    return case.video


def test_approving_original_footage_pays_publication_and_original(editor):
    # given a clip whose fingerprint check found no earlier match
    case = pending_case()
    _checks(case.video)

    # when an editor approves it
    services.case_decide(case_id=case.pk, editor=editor, decision="approve")

    # then it pays +10 for publication and +5 for original footage
    owner = case.video.owner
    assert _ledger(owner) == [
        ("video_published", 10, f"video_published:{case.video_id}"),
        ("original_footage", 5, f"original_footage:{case.video_id}"),
    ]
    assert _total(owner) == 15


@pytest.mark.parametrize("checked", [True, False], ids=["reupload", "never-checked"])
def test_approving_a_reupload_or_unchecked_clip_pays_no_original_bonus(editor, checked):
    # given a clip that matches earlier footage (or that the checks never saw)
    earlier = VideoFactory(state="published")
    case = pending_case()
    if checked:
        _checks(case.video, similar=[{"video_id": earlier.pk, "score": 0.97}])

    # when
    services.case_decide(case_id=case.pk, editor=editor, decision="approve")

    # then only the publication pays
    assert [rule for rule, _points, _key in _ledger(case.video.owner)] == ["video_published"]


def test_original_footage_delivered_twice_pays_once(editor):
    # given an approved original clip
    video = _approved(editor)

    # when the approval hook runs again
    again = points_services.points_original_footage(video=video)

    # then nothing more is paid
    assert again is None
    assert _total(video.owner) == 15


def _remove_after_report(video, editor) -> Case:
    report = services.report_create(
        reporter=UserFactory(), video_id=video.pk, reason="misleading", text="Old footage"
    )
    services.case_decide(
        case_id=report.case_id,
        editor=editor,
        decision="remove",
        reason_code="unverifiable",
        reason_text="Old footage.",
    )
    return Case.objects.get(pk=report.case_id)


@pytest.mark.parametrize("hidden_first", [False, True], ids=["published", "hidden"])
def test_removal_after_review_reverses_the_approval_and_costs_twenty(
    editor, settings, hidden_first
):
    # given an approved original clip (+15), hidden by the first report or still public
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 1 if hidden_first else 100
    video = _approved(editor)

    # when editors remove it after a viewer report
    _remove_after_report(video, editor)

    # then the approval payments are reversed (new rows, originals kept) and -20 is charged
    owner = video.owner
    assert _ledger(owner) == [
        ("video_published", 10, f"video_published:{video.pk}"),
        ("original_footage", 5, f"original_footage:{video.pk}"),
        ("video_published", -10, f"reversal:video_published:{video.pk}"),
        ("original_footage", -5, f"reversal:original_footage:{video.pk}"),
        ("content_removed", -20, f"content_removed:{video.pk}"),
    ]
    assert _total(owner) == -20
    assert _consistent(owner)
    video.refresh_from_db()
    assert video.state == "removed"
    reversal = PointEvent.objects.get(key=f"reversal:video_published:{video.pk}")
    assert reversal.reason == "Could not be verified: Old footage."


def test_removal_delivered_twice_costs_once(editor):
    # given a removed clip
    video = _approved(editor)
    _remove_after_report(video, editor)
    before = _ledger(video.owner)

    # when the removal hook runs again
    again = points_services.points_content_removed(video=video, reason="again")

    # then the ledger is unchanged
    assert again is None
    assert _ledger(video.owner) == before


def test_appeal_granted_after_removal_refunds_the_penalty_and_pays_again(editor):
    # given a removed original clip
    video = _approved(editor)
    _remove_after_report(video, editor)
    owner = video.owner
    appeal = services.appeal_create(user=owner, video_id=video.pk, note="It is mine, filmed today.")

    # when another editor grants the appeal
    second = UserFactory(roles=["editor"])
    services.case_decide(
        case_id=appeal.case_id, editor=second, decision="overturn", reason_text="Verified."
    )

    # then the penalty is reversed and the approval pays again under new keys
    assert _ledger(owner)[5:] == [
        ("content_removed", 20, f"reversal:content_removed:{video.pk}"),
        ("video_published", 10, f"video_published:{video.pk}:again:1"),
        ("original_footage", 5, f"original_footage:{video.pk}:again:1"),
    ]
    assert _total(owner) == 15
    assert _consistent(owner)

    # and a second removal costs again (a new deed), keeping the ledger consistent
    _remove_after_report(video, editor)
    assert _total(owner) == -20
    assert PointEvent.objects.filter(key=f"content_removed:{video.pk}:again:1").exists()
    assert _consistent(owner)


def test_appeal_granted_after_rejection_pays_the_publication(editor):
    # given a rejected clip (nothing paid)
    case = pending_case()
    services.case_decide(case_id=case.pk, editor=editor, decision="reject", reason_code="quality")
    owner = case.video.owner
    appeal = services.appeal_create(user=owner, video_id=case.video_id, note="Look again.")

    # when another editor grants the appeal
    services.case_decide(
        case_id=appeal.case_id, editor=UserFactory(roles=["editor"]), decision="overturn"
    )

    # then the publication pays, as it would have on approval
    assert _ledger(owner) == [("video_published", 10, f"video_published:{case.video_id}")]


def test_upheld_report_against_a_user_costs_ten_once(editor, viewer):
    # given a report about a person
    offender = UserFactory(roles=["reporter"])
    points_services.points_award(user=offender, rule="used_on_air", obj="live:1", key="air:1")
    report = services.report_create(reporter=viewer, user_id=offender.pk, reason="hate")

    # when editors uphold it, and the hook is delivered again
    services.case_decide(
        case_id=report.case_id, editor=editor, decision="remove", reason_code="unverifiable"
    )
    again = points_services.points_report_upheld(offender=offender, case_id=report.case_id)

    # then the offender paid -10 once, and the reporter nothing
    assert again is not None
    assert again.key == f"abuse_report_upheld:case:{report.case_id}"
    assert _ledger(offender)[1:] == [
        ("abuse_report_upheld", -10, f"abuse_report_upheld:case:{report.case_id}")
    ]
    assert _total(offender) == 40
    assert not PointEvent.objects.filter(user=viewer).exists()


def test_dismissed_reports_cost_nothing(editor, viewer):
    # given a report about a person
    target = UserFactory(roles=["reporter"])
    report = services.report_create(reporter=viewer, user_id=target.pk, reason="hate")

    # when editors dismiss it
    services.case_decide(case_id=report.case_id, editor=editor, decision="dismiss")

    # then nobody's points change
    assert PointEvent.objects.count() == 0


def test_live_source_approved_pays_five_once(editor):
    # given a live source waiting for approval
    source = LiveSource.objects.create(
        reporter=UserFactory(roles=["reporter"]), title="Rally", protocol="whip", state="live"
    )
    services.cases_sync_live_sources()
    case = Case.objects.get(kind="live_source", status="open")

    # when an editor approves it, un-approves it and approves it again
    services.case_decide(case_id=case.pk, editor=editor, decision="approve")
    ingest_services.source_decide(source_key=str(source.key), editor=editor, action="unapprove")
    ingest_services.source_decide(source_key=str(source.key), editor=editor, action="approve")

    # then the reporter was paid +5 once
    assert _ledger(source.reporter) == [("live_approved", 5, f"live_approved:{source.pk}")]


def test_rejecting_a_source_pays_nothing(editor):
    # given
    source = LiveSource.objects.create(
        reporter=UserFactory(roles=["reporter"]), title="Rally", protocol="whip", state="live"
    )

    # when
    ingest_services.source_decide(
        source_key=str(source.key), editor=editor, action="reject", reason="Off topic"
    )

    # then
    assert PointEvent.objects.count() == 0


@pytest.mark.parametrize(("rule", "points"), [("event_attended", 10), ("used_on_air", 50)])
def test_rules_other_apps_call_exist_and_pay_once(reporter, rule, points):
    # given / when the same deed is delivered twice
    first = points_services.points_award(user=reporter, rule=rule, obj="event:3", key=f"{rule}:3")
    second = points_services.points_award(user=reporter, rule=rule, obj="event:3", key=f"{rule}:3")

    # then it paid once
    assert first is not None
    assert first == second
    assert (first.points, _total(reporter)) == (points, points)


def test_rejection_refreshes_the_tier(editor, settings):
    # given a citizen reporter with one published clip whose next clip gets rejected
    settings.POINTS_TIERS = [
        {"code": "viewer"},
        {
            "code": "citizen",
            "min_points": 10,
            "min_published": 1,
            "max_rejection_rate": 0.4,
            "min_account_days": 0,
        },
    ]
    owner = UserFactory(roles=["reporter"])
    VideoFactory(owner=owner, state="published")
    points_services.points_award(user=owner, rule="used_on_air", obj="live:1", key="air:1")
    assert PointsAccount.objects.get(user=owner).tier == "citizen"
    case = pending_case(owner=owner)

    # when an editor rejects it (1 of 2 rejected: 50% > 40%)
    services.case_decide(case_id=case.pk, editor=editor, decision="reject", reason_code="quality")

    # then the tier drops at once
    assert PointsAccount.objects.get(user=owner).tier == "viewer"
