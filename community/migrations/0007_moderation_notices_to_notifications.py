"""Moderation's own `Notice` rows become community notifications (one place tells people things).

A notice kept its sentence already written out, so the row carries it in `data["message"]`; the
kind comes from the decision of the case it was about (or "report_outcome" when unknown).
"""

from django.db import migrations


def _kind(notice) -> str:
    case = notice.case
    if case is None:
        return "report_outcome"
    if case.kind == "appeal":
        return "appeal_decided"
    if case.kind == "video":
        return {
            "approve": "video_approved",
            "reject": "video_rejected",
            "request_changes": "video_changes",
        }.get(case.decision, "video_changes")
    if case.kind == "report":
        if case.reported_user_id is not None and case.reported_user_id == notice.recipient_id:
            return "account_warned"
        owner_id = case.video.owner_id if case.video_id else None
        if owner_id is not None and owner_id == notice.recipient_id:
            return "video_removed" if case.decision == "remove" else "video_restored"
    return "report_outcome"


def forwards(apps, schema_editor):
    Notice = apps.get_model("moderation", "Notice")
    Notification = apps.get_model("community", "Notification")
    for notice in Notice.objects.select_related("case", "case__video").order_by("id").iterator():
        row = Notification.objects.create(
            recipient_id=notice.recipient_id,
            kind=_kind(notice),
            video_id=notice.video_id,
            data={"message": notice.message, "case": notice.case_id},
            read_at=notice.read_at,
        )
        # auto_now_add stamped "now": keep when the notice was really sent.
        Notification.objects.filter(pk=row.pk).update(created_at=notice.created_at)


def backwards(apps, schema_editor):
    Notice = apps.get_model("moderation", "Notice")
    Notification = apps.get_model("community", "Notification")
    for row in Notification.objects.filter(data__has_key="message").order_by("id").iterator():
        Notice.objects.create(
            recipient_id=row.recipient_id,
            video_id=row.video_id,
            case_id=row.data.get("case"),
            message=row.data["message"],
            read_at=row.read_at,
        )
        row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0006_notification_channels_digests"),
        ("moderation", "0002_live_source_cases"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
