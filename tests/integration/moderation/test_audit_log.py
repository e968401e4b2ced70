"""The audit log: append-only, every decision recorded, staff page with filters and CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import AuditEntry
from tests.unit.moderation.factories import pending_case

pytestmark = pytest.mark.django_db


def test_audit_entries_cannot_be_changed_or_deleted(editor):
    # given
    case = pending_case()
    services.case_claim(case_id=case.pk, editor=editor)
    entry = AuditEntry.objects.get()
    # when / then
    entry.reason = "rewritten"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.update(reason="rewritten")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    assert list(AuditEntry.objects.values_list("action", "reason")) == [("claim", "")]


def test_every_step_of_a_review_is_recorded_with_before_and_after(editor):
    # given
    case = pending_case(title="Old")
    # when
    services.case_claim(case_id=case.pk, editor=editor)
    services.case_decide(
        case_id=case.pk, editor=editor, decision="approve", verification="verified", title="New"
    )
    # then
    rows = list(
        AuditEntry.objects.order_by("id").values_list("actor", "action", "case", "before", "after")
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (editor.pk, "claim", case.pk),
        (editor.pk, "edit", case.pk),
        (editor.pk, "decide", case.pk),
    ]
    assert rows[2][3] == {
        "status": "open",
        "decision": "",
        "claimed_by": editor.pk,
        "video_state": "pending_review",
    }
    assert rows[2][4] == {
        "status": "decided",
        "decision": "approve",
        "claimed_by": None,
        "video_state": "published",
        "verification": "verified",
    }


def test_staff_filter_the_audit_page_and_export_csv(client, staff_user, editor):
    # given
    first, second = pending_case(), pending_case()
    services.case_claim(case_id=first.pk, editor=editor)
    services.case_decide(
        case_id=second.pk, editor=editor, decision="reject", reason_code="graphic", reason_text="ü"
    )
    client.force_login(staff_user)
    # when
    page = client.get(reverse("moderation-audit"), {"action": "decide"})
    export = client.get(reverse("moderation-audit"), {"action": "decide", "format": "csv"})
    # then
    assert page.status_code == 200
    assert page.content.decode().count("<tr><td>") == 1
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == [
        "id",
        "created_at",
        "actor",
        "action",
        "case",
        "video",
        "user",
        "reason",
        "before",
        "after",
    ]
    assert len(rows) == 2
    assert rows[1][2:8] == [
        editor.email,
        "decide",
        str(second.pk),
        str(second.video_id),
        "",
        "Too graphic to publish: ü",
    ]


def test_editors_without_staff_cannot_open_the_audit_or_stats_pages(client, editor):
    # given
    client.force_login(editor)
    # when
    audit = client.get(reverse("moderation-audit"))
    stats = client.get(reverse("moderation-stats"))
    # then
    assert (audit.status_code, stats.status_code) == (403, 403)


def test_stats_page_shows_queue_decisions_and_reasons(client, staff_user, editor):
    # given
    pending_case()
    rejected = pending_case()
    services.case_decide(
        case_id=rejected.pk, editor=editor, decision="reject", reason_code="not_news"
    )
    client.force_login(staff_user)
    # when
    response = client.get(reverse("moderation-stats"))
    api = client.get(reverse("api-moderation-stats")).json()
    # then
    html = response.content.decode()
    assert "Not newsworthy" in html
    assert api["queue_by_kind"]["video"] == 1
    assert api["decisions"] == 1
    assert api["rejection_reasons"] == [{"reason": "not_news", "n": 1}]
    assert api["per_editor"] == [{"editor": editor.public_name, "n": 1}]
