"""The one place that decides who is told what (in-app notifications and the live bell).

Every other module calls one `notify_*` function per happening; this module picks the
recipients, drops the ones who muted that kind or caused it themselves, stores the rows and,
after commit, pushes the new unread count to each recipient's /ws/me/ sockets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import (
    MODERATION_KINDS,
    Assignment,
    Comment,
    DigestFrequency,
    Event,
    EventRegistration,
    Follow,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationMute,
    NotificationSettings,
    Story,
    StoryFollow,
)
from fieldcast.accounts.models import User
from fieldcast.core import events
from fieldcast.points.models import Tier
from fieldcast.videos.models import Video
from ingest.models import LiveSource

# "@Ada Obi" names a person by display name; names may hold spaces, so up to three words follow.
_MENTION = re.compile(r"(?<![\w@])@(\w[\w.\-]*(?:[ \t]+\w[\w.\-]*){0,2})")
MAX_MENTIONS = 10


def mention_candidates(text: str) -> set[str]:
    """Every lower-cased name an @mention in `text` could mean (1, 2 or 3 words after the @)."""
    names: set[str] = set()
    for match in _MENTION.finditer(text):
        words = match.group(1).split()
        for count in range(1, len(words) + 1):
            names.add(" ".join(words[:count]).lower())
    return names


def mentioned_users(text: str) -> list[User]:
    """People whose display name is mentioned in `text` (at most MAX_MENTIONS)."""
    candidates = mention_candidates(text)
    if not candidates:
        return []
    query = Q()
    for name in candidates:
        query |= Q(display_name__iexact=name)
    return list(User.objects.filter(query, is_active=True).order_by("id")[:MAX_MENTIONS])


def unread_count(*, user_id: int) -> int:
    """What the bell shows: unread notifications of kinds the person keeps on in the app."""
    return Notification.objects.filter(
        recipient_id=user_id, read_at__isnull=True, in_app=True
    ).count()


def push_unread(*, user_id: int) -> None:
    """Tell the person's open pages their new unread count (call after commit)."""
    events.publish(
        group=events.user_group(user_id),
        event={"type": "notification.unread", "unread": unread_count(user_id=user_id)},
    )


def _send(
    *,
    kind: str,
    recipients: Iterable[User | int],
    actor: User | None,
    video: Video | None = None,
    comment: Comment | None = None,
    story: Story | None = None,
    assignment: Assignment | None = None,
    data: dict[str, Any] | None = None,
    event: Event | None = None,
) -> list[Notification]:
    """Store one notification per recipient who wants this kind in the app or by email.

    A kind turned off in the app but kept for a digest the person opted in to is stored with
    `in_app=False`: it never rings the bell, only the next digest carries it. Neither: nothing
    is stored.
    """
    ids = {r if isinstance(r, int) else r.pk for r in recipients}
    if actor is not None:
        ids.discard(actor.pk)  # nobody is told about what they did themselves
    if not ids:
        return []
    muted: dict[int, set[str]] = {}
    for user_id, channel in NotificationMute.objects.filter(user_id__in=ids, kind=kind).values_list(
        "user_id", "channel"
    ):
        muted.setdefault(user_id, set()).add(channel)
    everything = {NotificationChannel.APP.value, NotificationChannel.EMAIL.value}
    # Email is only a channel for people who opted in to a digest.
    no_digest = ids - set(
        NotificationSettings.objects.filter(user_id__in=ids)
        .exclude(digest=DigestFrequency.OFF)
        .values_list("user_id", flat=True)
    )
    for user_id in no_digest:
        muted.setdefault(user_id, set()).add(NotificationChannel.EMAIL.value)
    rows = [
        Notification(
            recipient_id=uid,
            kind=kind,
            actor=actor,
            video=video,
            comment=comment,
            story=story,
            assignment=assignment,
            event=event,
            data=data or {},
            in_app=NotificationChannel.APP.value not in muted.get(uid, set()),
        )
        for uid in sorted(ids)
        if muted.get(uid, set()) != everything
    ]
    Notification.objects.bulk_create(rows)
    for row in rows:
        if row.in_app:
            transaction.on_commit(partial(push_unread, user_id=row.recipient_id))
    return rows


def notify_comment_posted(*, comment: Comment) -> list[Notification]:
    """A visible comment: its video's owner is told, and everyone it @mentions."""
    video = comment.video
    if video is None:  # a story's comment: only the people it @mentions are told
        return _send(
            kind=NotificationKind.MENTION,
            recipients=mentioned_users(comment.body),
            actor=comment.author,
            story=comment.story,
            comment=comment,
            data={"title": comment.target_title},
        )
    sent = _send(
        kind=NotificationKind.VIDEO_COMMENTED,
        recipients=[video.owner_id],
        actor=comment.author,
        video=video,
        comment=comment,
    )
    mentioned = [u for u in mentioned_users(comment.body) if u.pk != video.owner_id]
    sent += _send(
        kind=NotificationKind.MENTION,
        recipients=mentioned,
        actor=comment.author,
        video=video,
        comment=comment,
    )
    return sent


def notify_video_liked(*, video: Video, liker: User) -> list[Notification]:
    return _send(
        kind=NotificationKind.VIDEO_LIKED, recipients=[video.owner_id], actor=liker, video=video
    )


def notify_video_published(*, video: Video) -> list[Notification]:
    """Hook for `video_publish`: every follower of the reporter hears about the new video."""
    followers = Follow.objects.filter(reporter_id=video.owner_id).values_list(
        "follower_id", flat=True
    )
    return _send(
        kind=NotificationKind.FOLLOWED_PUBLISHED,
        recipients=list(followers),
        actor=video.owner,
        video=video,
    )


def notify_story_updated(*, story: Story, editor: User, video: Video | None) -> list[Notification]:
    """A new timeline entry: everyone following the story hears about it."""
    followers = StoryFollow.objects.filter(story=story).values_list("user_id", flat=True)
    return _send(
        kind=NotificationKind.STORY_UPDATED,
        recipients=list(followers),
        actor=editor,
        video=video,
        story=story,
    )


def notify_assignment_published(*, assignment: Assignment) -> list[Notification]:
    """A new call for footage: reporters (people who may upload) in its city are told."""
    reporters = (
        User.objects.filter(
            is_active=True,
            city__iexact=assignment.city,
            groups__permissions__codename="upload_video",
            groups__permissions__content_type__app_label="accounts",
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    return _send(
        kind=NotificationKind.ASSIGNMENT_NEAR,
        recipients=list(reporters),
        actor=assignment.created_by,
        assignment=assignment,
    )


def notify_followed_on_air(*, source: LiveSource) -> list[Notification]:
    """A reporter's live source went on air: their followers hear it once per source."""
    already = Notification.objects.filter(
        kind=NotificationKind.FOLLOWED_ON_AIR, data__source=source.pk
    ).exists()
    if already:
        return []  # cut away and back again: one notification is enough
    followers = Follow.objects.filter(reporter_id=source.reporter_id).values_list(
        "follower_id", flat=True
    )
    return _send(
        kind=NotificationKind.FOLLOWED_ON_AIR,
        recipients=list(followers),
        actor=source.reporter,
        data={"source": source.pk, "title": source.title},
    )


def notify_tier_changed(*, user_id: int, from_tier: str, to_tier: str) -> list[Notification]:
    """The points ledger moved a person to another tier (level)."""
    return _send(
        kind=NotificationKind.TIER_CHANGED,
        recipients=[user_id],
        actor=None,
        data={"from": from_tier, "to": to_tier},
    )


# --- Moderation outcomes ------------------------------------------------------------------------
# The editor is not named to the person told (decisions are the newsroom's); `case` links the
# notification to the queue item for the reporter's decisions page and the audit trail.


def _moderation(
    *, kind: str, recipients: Iterable[User | int], video: Video | None, **data: Any
) -> list[Notification]:
    if video is not None:
        data.setdefault("title", video.title)
    return _send(kind=kind, recipients=recipients, actor=None, video=video, data=data)


def notify_video_approved(*, video: Video, case_id: int | None) -> list[Notification]:
    return _moderation(
        kind=NotificationKind.VIDEO_APPROVED, recipients=[video.owner_id], video=video, case=case_id
    )


def notify_video_rejected(
    *, video: Video, case_id: int | None, reason_code: str, reason_text: str
) -> list[Notification]:
    return _moderation(
        kind=NotificationKind.VIDEO_REJECTED,
        recipients=[video.owner_id],
        video=video,
        case=case_id,
        reason_code=reason_code,
        reason_text=reason_text,
    )


def notify_video_changes_requested(
    *, video: Video, case_id: int | None, note: str
) -> list[Notification]:
    return _moderation(
        kind=NotificationKind.VIDEO_CHANGES,
        recipients=[video.owner_id],
        video=video,
        case=case_id,
        note=note,
    )


def notify_video_hidden(*, video: Video, case_id: int | None) -> list[Notification]:
    return _moderation(
        kind=NotificationKind.VIDEO_HIDDEN, recipients=[video.owner_id], video=video, case=case_id
    )


def notify_video_restored(*, video: Video, case_id: int | None) -> list[Notification]:
    return _moderation(
        kind=NotificationKind.VIDEO_RESTORED, recipients=[video.owner_id], video=video, case=case_id
    )


def notify_video_removed(
    *, video: Video, case_id: int | None, reason_code: str, reason_text: str
) -> list[Notification]:
    return _moderation(
        kind=NotificationKind.VIDEO_REMOVED,
        recipients=[video.owner_id],
        video=video,
        case=case_id,
        reason_code=reason_code,
        reason_text=reason_text,
    )


def notify_appeal_decided(
    *, video: Video, case_id: int | None, granted: bool, note: str
) -> list[Notification]:
    return _moderation(
        kind=NotificationKind.APPEAL_DECIDED,
        recipients=[video.owner_id],
        video=video,
        case=case_id,
        granted=granted,
        note=note,
    )


def notify_account_warned(
    *, user_id: int, case_id: int | None, reason_code: str, reason_text: str
) -> list[Notification]:
    return _moderation(
        kind=NotificationKind.ACCOUNT_WARNED,
        recipients=[user_id],
        video=None,
        case=case_id,
        reason_code=reason_code,
        reason_text=reason_text,
    )


def notify_report_outcome(
    *,
    reporter_ids: Iterable[int],
    subject: str,
    video: Video | None,
    case_id: int | None,
    action_taken: bool,
    reason_code: str = "",
    reason_text: str = "",
) -> list[Notification]:
    """Everyone who reported the content hears what editors decided."""
    return _moderation(
        kind=NotificationKind.REPORT_OUTCOME,
        recipients=list(reporter_ids),
        video=video,
        case=case_id,
        subject=subject,
        action=action_taken,
        reason_code=reason_code,
        reason_text=reason_text,
    )


def notify_comment_removed(
    *, comment: Comment, case_id: int | None, reason: str
) -> list[Notification]:
    return _send(
        kind=NotificationKind.COMMENT_REMOVED,
        recipients=[comment.author_id],
        actor=None,
        video=comment.video,
        story=comment.story,
        comment=comment,
        data={"case": case_id, "title": comment.target_title, "reason": reason},
    )


# --- What a notification says (in the reader's language, at reading time) ----------------------


def _reason(data: dict[str, Any]) -> str:
    labels = {str(code): str(label) for code, label in settings.MODERATION_REJECT_REASONS}
    code = str(data.get("reason_code", ""))
    label = labels.get(code, "")  # lazy labels: str() translates into the active language
    text = str(data.get("reason_text", ""))
    return f"{label}: {text}" if label and text else (label or text)


def _tier(code: str) -> str:
    try:
        return str(Tier(code).label)
    except ValueError:
        return code


def notification_text(item: Notification) -> str:
    """The sentence a person reads for one notification, in the active language."""
    data = item.data or {}
    if "message" in data:  # written out before notifications were unified (moderation notices)
        return str(data["message"])
    name = item.actor.public_name if item.actor_id and item.actor else ""
    title = str(data.get("title") or (item.video.title if item.video_id and item.video else ""))
    kind = item.kind
    if kind == NotificationKind.VIDEO_COMMENTED:
        return _("%(name)s commented on “%(title)s”") % {"name": name, "title": title}
    if kind == NotificationKind.VIDEO_LIKED:
        return _("%(name)s liked “%(title)s”") % {"name": name, "title": title}
    if kind == NotificationKind.FOLLOWED_PUBLISHED:
        return _("%(name)s published “%(title)s”") % {"name": name, "title": title}
    if kind == NotificationKind.MENTION:
        return _("%(name)s mentioned you on “%(title)s”") % {"name": name, "title": title}
    if kind == NotificationKind.STORY_UPDATED:
        story = item.story.title if item.story_id and item.story else ""
        return _("New on the story “%(story)s”") % {"story": story}
    if kind == NotificationKind.ASSIGNMENT_NEAR and item.assignment is not None:
        return _("New assignment in %(city)s: “%(assignment)s”") % {
            "city": item.assignment.city,
            "assignment": item.assignment.title,
        }
    if kind == NotificationKind.FOLLOWED_ON_AIR:
        return _("%(name)s is on air now: “%(title)s”") % {"name": name, "title": title}
    if kind == NotificationKind.TIER_CHANGED:
        return _("You are now a %(tier)s.") % {"tier": _tier(str(data.get("to", "")))}
    if kind == NotificationKind.VIDEO_APPROVED:
        return _("“%(title)s” was approved and published.") % {"title": title}
    if kind == NotificationKind.VIDEO_REJECTED:
        return _("“%(title)s” was not published. Reason: %(reason)s — you may appeal once.") % {
            "title": title,
            "reason": _reason(data),
        }
    if kind == NotificationKind.VIDEO_CHANGES:
        return _("An editor asks for changes to “%(title)s”: %(note)s") % {
            "title": title,
            "note": data.get("note", ""),
        }
    if kind == NotificationKind.VIDEO_HIDDEN:
        return _("“%(title)s” is hidden while editors check viewer reports.") % {"title": title}
    if kind == NotificationKind.VIDEO_RESTORED:
        return _("“%(title)s” was checked after viewer reports and is public again.") % {
            "title": title
        }
    if kind == NotificationKind.VIDEO_REMOVED:
        return _(
            "“%(title)s” was removed after viewer reports. Reason: %(reason)s — you may appeal once."
        ) % {"title": title, "reason": _reason(data)}
    if kind == NotificationKind.APPEAL_DECIDED:
        if data.get("granted"):
            text = _("Your appeal on “%(title)s” was granted: it is published.") % {"title": title}
        else:
            text = _("Your appeal on “%(title)s” was refused.") % {"title": title}
        return f"{text} {data['note']}" if data.get("note") else text
    if kind == NotificationKind.ACCOUNT_WARNED:
        return _("Editors upheld reports about your account. Reason: %(reason)s") % {
            "reason": _reason(data)
        }
    if kind == NotificationKind.REPORT_OUTCOME:
        if data.get("action"):
            outcome = _("we took action: %(reason)s") % {"reason": _reason(data)}
        else:
            outcome = _("we reviewed it and it stays up")
        return _("Thank you for your report on “%(subject)s”: %(outcome)s.") % {
            "subject": data.get("subject", ""),
            "outcome": outcome,
        }
    if kind == NotificationKind.COMMENT_REMOVED:
        text = _("An editor removed your comment on “%(title)s”.") % {"title": title}
        return f"{text} {data['reason']}" if data.get("reason") else text
    if kind == NotificationKind.EVENT_PROMOTED:
        return _("A place freed up: you are now going to “%(title)s”.") % {"title": title}
    if kind == NotificationKind.EVENT_REMINDER:
        if data.get("when") == "hour":
            return _("“%(title)s” starts within the hour.") % {"title": title}
        return _("“%(title)s” starts within 24 hours.") % {"title": title}
    return str(NotificationKind(kind).label) if kind in NotificationKind.values else kind


# --- Events -------------------------------------------------------------------------------------


def notify_event_promoted(*, registration: EventRegistration) -> list[Notification]:
    """Someone cancelled: the first person on the waiting list now has a place."""
    return _send(
        kind=NotificationKind.EVENT_PROMOTED,
        recipients=[registration.user_id],
        actor=None,
        event=registration.event,
        data={"title": registration.event.title},
    )


def notify_event_reminder(*, registration: EventRegistration, which: str) -> list[Notification]:
    """A day (`which="day"`) or an hour (`"hour"`) before an event someone has a place at."""
    return _send(
        kind=NotificationKind.EVENT_REMINDER,
        recipients=[registration.user_id],
        actor=None,
        event=registration.event,
        data={"title": registration.event.title, "when": which},
    )


def notification_url(item: Notification) -> str:
    """Where a notification leads (a path on this site)."""
    if item.kind in (
        NotificationKind.VIDEO_REJECTED,
        NotificationKind.VIDEO_REMOVED,
        NotificationKind.VIDEO_CHANGES,
        NotificationKind.ACCOUNT_WARNED,
    ):
        return reverse("moderation-notices")  # where the reporter appeals or resubmits
    if item.assignment_id:
        return reverse("community:assignment", args=[item.assignment_id])
    if item.event_id:
        return reverse("community:event", args=[item.event_id])
    if item.story_id:
        anchor = f"#comment-{item.comment_id}" if item.comment_id else ""
        return reverse("community:story", args=[item.story_id]) + anchor
    if item.video_id:
        anchor = f"#comment-{item.comment_id}" if item.comment_id else ""
        return reverse("video-watch", args=[item.video_id]) + anchor
    if item.kind == NotificationKind.FOLLOWED_ON_AIR:
        return reverse("home")
    return reverse("community:notifications")


# --- Preferences ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KindPreference:
    kind: str
    label: str
    in_app: bool
    email: bool


def preferences(*, user: User) -> list[KindPreference]:
    """Every kind with whether the person gets it in the app and in their email digest."""
    muted = set(NotificationMute.objects.filter(user=user).values_list("kind", "channel"))
    return [
        KindPreference(
            kind=str(value),
            label=str(label),
            in_app=(value, NotificationChannel.APP.value) not in muted,
            email=(value, NotificationChannel.EMAIL.value) not in muted,
        )
        for value, label in NotificationKind.choices
    ]


# --- Moderation notices ---------------------------------------------------------------------
# Moderation sits below community and reads the notices it caused through here.


def moderation_notices(*, user: User) -> QuerySet[Notification]:
    """What moderation decided about the person's content and reports (their notifications of
    the moderation kinds), newest first."""
    return (
        Notification.objects.filter(recipient=user, kind__in=MODERATION_KINDS)
        .select_related("video", "comment")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def moderation_notices_mark_read(*, user: User, ids: list[int]) -> int:
    """Mark these of the person's notifications read; the bell updates live."""
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True, pk__in=ids).update(
        read_at=timezone.now()
    )
    transaction.on_commit(lambda: push_unread(user_id=user.pk))
    return changed
