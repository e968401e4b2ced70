"""Live sources waiting for approval are one more kind of queue item."""

from __future__ import annotations

import pytest

from fieldcast.core.errors import ValidationFailed
from ingest.models import LiveSource
from moderation import services
from moderation.models import AuditEntry, Case
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _source(state: str = "live") -> LiveSource:
    return LiveSource.objects.create(
        reporter=UserFactory(roles=["reporter"]), title="Rally live", protocol="whip", state=state
    )


def test_a_live_source_joins_the_queue_and_an_editor_approves_it(editor):
    # given
    source = _source()
    services.cases_sync_live_sources()
    case = Case.objects.get(kind="live_source", status="open")
    # when
    services.case_claim(case_id=case.pk, editor=editor)
    services.case_decide(case_id=case.pk, editor=editor, decision="approve")
    # then
    source.refresh_from_db()
    case.refresh_from_db()
    assert (source.state, source.decided_by) == ("approved", editor)
    assert (case.status, case.decision, case.submitted_by) == (
        "decided",
        "approve",
        source.reporter,
    )
    assert AuditEntry.objects.filter(action="decide").get().after["source_state"] == "approved"


def test_rejecting_a_live_source_needs_a_listed_reason(editor):
    # given
    source = _source()
    services.cases_sync_live_sources()
    case = Case.objects.get(kind="live_source")
    # when
    with pytest.raises(ValidationFailed):
        services.case_decide(case_id=case.pk, editor=editor, decision="reject", reason_code="?")
    services.case_decide(
        case_id=case.pk, editor=editor, decision="reject", reason_code="graphic", reason_text="x"
    )
    # then
    source.refresh_from_db()
    assert (source.state, source.state_reason) == ("rejected", "Too graphic to publish: x")


def test_sources_decided_elsewhere_or_ended_leave_the_queue():
    # given
    source = _source()
    services.cases_sync_live_sources()
    source.state = "ended"
    source.save(update_fields=["state"])
    # when
    opened = services.cases_sync_live_sources()
    # then
    case = Case.objects.get(kind="live_source")
    assert (opened, case.status, case.decision) == (0, "decided", "closed")


def test_sources_not_waiting_for_approval_are_not_queued():
    # given
    _source(state="connecting")
    _source(state="approved")
    # when
    services.cases_sync_live_sources()
    # then
    assert Case.objects.count() == 0


def test_queue_and_review_pages_show_a_live_source(client, editor):
    # given
    source = _source()
    client.force_login(editor)
    # when
    queue = client.get("/moderation/").content.decode()
    case = Case.objects.get(kind="live_source")
    review = client.get(f"/moderation/cases/{case.pk}/").content.decode()
    # then
    assert "Rally live" in queue
    assert f"Live from {source.reporter.public_name} over WHIP: Live." in review
    assert 'data-testid="decide-approve"' in review
    assert 'name="title"' not in review
