"""Every write of events: creating them, sign-up with a waiting list, cancelling, reminders,
attendance (which pays the "event_attended" points) and the guest expert badge.

Each service owns its transaction, locks the event row while it counts places, and raises
`ApplicationError`s with a message for the person. Notifications go through `community.notifications.notify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.chat import selectors as chat_selectors
from community.chat import services as chat_services
from community.models import Event, EventKind, EventRegistration, GuestExpert, RegistrationState
from community.notifications import notify
from fieldcast.accounts.guards import require_permission, require_user
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from fieldcast.points.rules import Rule
from fieldcast.points.services import points_award

EVENT_MAX_CAPACITY: int = getattr(settings, "COMMUNITY_EVENT_MAX_CAPACITY", 10_000)
# Reminders go out this long before the start (the task runs every few minutes).
REMINDER_DAY = timedelta(days=1)
REMINDER_HOUR = timedelta(hours=1)


def _invalid(field: str, message: str, code: ErrorCode = ErrorCode.INVALID) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise _invalid(field, _("This field is required."), ErrorCode.REQUIRED)
    if len(text) > limit:
        message = _("At most %(limit)d characters (this is %(length)d).") % {
            "limit": limit,
            "length": len(text),
        }
        raise _invalid(field, message, ErrorCode.TOO_LONG)
    return text


def _link(value: str) -> str:
    link = _text(value, field="link", limit=500, required=False)
    if link:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in link:
            raise _invalid("link", _("Give a web address starting with https:// or http://."))
    return link


@transaction.atomic
def event_create(
    *,
    user: User | AnonymousUser,
    title: str,
    description: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    place: str = "",
    link: str = "",
) -> Event:
    """Staff announce an online Q&A (needs a link) or a meet-up/training (needs a place)."""
    creator = require_permission(
        user, "moderate_content", message=_("Only newsroom staff can create events.")
    )
    fields = {
        "title": _text(title, field="title", limit=200),
        "description": _text(description, field="description", limit=5000),
        "place": _text(place, field="place", limit=200, required=False),
        "link": _link(link),
    }
    if kind not in EventKind.values:
        raise _invalid("kind", _("Choose online Q&A, meet-up or training."))
    if kind == EventKind.ONLINE and not fields["link"]:
        raise _invalid(
            "link", _("An online event needs the link people join with."), ErrorCode.REQUIRED
        )
    if kind != EventKind.ONLINE and not fields["place"]:
        raise _invalid("place", _("Say where the event takes place."), ErrorCode.REQUIRED)
    if ends_at <= starts_at:
        raise _invalid("ends_at", _("The end must be after the start."))
    if starts_at <= timezone.now():
        raise _invalid("starts_at", _("The start must be in the future."))
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        raise _invalid("capacity", _("An event needs room for at least one person."))
    if capacity > EVENT_MAX_CAPACITY:
        message = _("At most %(max)d places.") % {"max": EVENT_MAX_CAPACITY}
        raise _invalid("capacity", message)
    event = Event.objects.create(
        **fields,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        created_by=creator,
    )
    chat_services.chat_channel_open(channel=chat_selectors.event_chat_channel(event.pk))
    return event


def _locked_event(event_id: int) -> Event:
    event = Event.objects.select_for_update().filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("We could not find that event."))
    return event


def _confirmed_count(event: Event) -> int:
    return EventRegistration.objects.filter(event=event, state=RegistrationState.CONFIRMED).count()


@dataclass(frozen=True)
class SignUpResult:
    registration: EventRegistration
    waiting_position: int  # 0 with a place; 1 = first on the waiting list

    @property
    def waiting(self) -> bool:
        return self.registration.state == RegistrationState.WAITING


def sign_up_message(result: SignUpResult) -> str:
    """What to tell the person who signed up: a place, or where they are on the waiting list."""
    if result.waiting:
        return _(
            "The event is full: you are number %(position)d on the waiting list. "
            "We will tell you if a place frees up."
        ) % {"position": result.waiting_position}
    return _("You have a place. See you there!")


def waiting_position(registration: EventRegistration) -> int:
    """1 for the first person on the waiting list; 0 for anyone not waiting."""
    if registration.state != RegistrationState.WAITING:
        return 0
    ahead = EventRegistration.objects.filter(
        event_id=registration.event_id,
        state=RegistrationState.WAITING,
        queued_at__lte=registration.queued_at,
    ).exclude(queued_at=registration.queued_at, id__gt=registration.pk)
    return ahead.count()


@transaction.atomic
def event_sign_up(*, user: User | AnonymousUser, event_id: int) -> SignUpResult:
    """Take a place, or join the waiting list when the event is full.

    Refused once the event has started and for someone already signed up or waiting. The event
    row is locked while places are counted, so two people can never take the last place twice.
    """
    person = require_user(user)
    event = _locked_event(event_id)
    now = timezone.now()
    if event.starts_at <= now:
        raise Conflict(_("Sign-up closed when the event started."), code=ErrorCode.EVENT_STARTED)
    registration = (
        EventRegistration.objects.select_for_update().filter(event=event, user=person).first()
    )
    if registration is not None and registration.state == RegistrationState.CONFIRMED:
        raise Conflict(
            _("You already have a place at this event."), code=ErrorCode.ALREADY_SIGNED_UP
        )
    if registration is not None and registration.state == RegistrationState.WAITING:
        raise Conflict(
            _("You are already on the waiting list for this event."), code=ErrorCode.ALREADY_WAITING
        )
    full = _confirmed_count(event) >= event.capacity
    state = RegistrationState.WAITING if full else RegistrationState.CONFIRMED
    if registration is None:
        registration = EventRegistration.objects.create(
            event=event, user=person, state=state, queued_at=now
        )
    else:  # signing up again after cancelling: to the back of the queue
        registration.state = state
        registration.queued_at = now
        registration.cancelled_at = None
        registration.reminded_day_at = None
        registration.reminded_hour_at = None
        registration.save(
            update_fields=[
                "state",
                "queued_at",
                "cancelled_at",
                "reminded_day_at",
                "reminded_hour_at",
            ]
        )
    return SignUpResult(registration=registration, waiting_position=waiting_position(registration))


@transaction.atomic
def event_cancel_sign_up(*, user: User | AnonymousUser, event_id: int) -> EventRegistration:
    """Give up a place (or leave the waiting list) before the start.

    A freed place goes to the first person waiting, who is told at once.
    """
    person = require_user(user)
    event = _locked_event(event_id)
    if event.starts_at <= timezone.now():
        raise Conflict(
            _("The event has started; sign-ups can no longer change."), code=ErrorCode.EVENT_STARTED
        )
    registration = (
        EventRegistration.objects.select_for_update()
        .filter(
            event=event,
            user=person,
            state__in=[RegistrationState.CONFIRMED, RegistrationState.WAITING],
        )
        .first()
    )
    if registration is None:
        raise NotFound(_("You are not signed up for this event."), code=ErrorCode.NOT_SIGNED_UP)
    had_place = registration.state == RegistrationState.CONFIRMED
    registration.state = RegistrationState.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["state", "cancelled_at"])
    if had_place:
        _promote_waiting(event)
    return registration


def _promote_waiting(event: Event) -> list[EventRegistration]:
    """Fill free places from the front of the waiting list (inside the caller's lock)."""
    free = event.capacity - _confirmed_count(event)
    if free <= 0:
        return []
    promoted = list(
        EventRegistration.objects.select_for_update()
        .filter(event=event, state=RegistrationState.WAITING)
        .select_related("user")
        .order_by("queued_at", "id")[:free]
    )
    for registration in promoted:
        registration.state = RegistrationState.CONFIRMED
        registration.save(update_fields=["state"])
        notify.notify_event_promoted(registration=registration)
    return promoted


@transaction.atomic
def event_attendance_mark(
    *, user: User | AnonymousUser, event_id: int, attendee_ids: list[int]
) -> list[EventRegistration]:
    """Staff tick who came; each newly marked person earns "event_attended" points once.

    Only people with a place can be marked, and only once the event has started. Marking
    someone again changes nothing (the same deed key never pays twice).
    """
    marker = require_permission(
        user, "moderate_content", message=_("Only newsroom staff can mark attendance.")
    )
    event = _locked_event(event_id)
    if event.starts_at > timezone.now():
        raise Conflict(
            _("Attendance can be marked once the event has started."), code=ErrorCode.NOT_STARTED
        )
    wanted = set(attendee_ids)
    rows = list(
        EventRegistration.objects.select_for_update()
        .filter(event=event, user_id__in=wanted, state=RegistrationState.CONFIRMED)
        .select_related("user")
    )
    if {row.user_id for row in rows} != wanted:
        raise _invalid(
            "attendees", _("Only people with a place at this event can be marked as attended.")
        )
    now = timezone.now()
    marked = []
    for row in rows:
        if row.attended_at is not None:
            continue
        row.attended_at = now
        row.attendance_marked_by = marker
        row.save(update_fields=["attended_at", "attendance_marked_by"])
        points_award(
            user=row.user,
            rule=Rule.EVENT_ATTENDED,
            obj=event,
            key=f"event:{event.pk}:attended:{row.user_id}",
        )
        marked.append(row)
    return marked


def event_reminders_send(*, now: datetime | None = None) -> int:
    """Remind people with a place a day and an hour before the start; returns how many were sent.

    Each reminder is claimed with a conditional UPDATE (only where it is still unset), so two
    runs at once, or a run repeated, never remind anyone twice.
    """
    moment = now or timezone.now()
    sent = 0
    for which, lead, field in (
        ("hour", REMINDER_HOUR, "reminded_hour_at"),
        ("day", REMINDER_DAY, "reminded_day_at"),
    ):
        due = EventRegistration.objects.filter(
            state=RegistrationState.CONFIRMED,
            event__starts_at__gt=moment,
            event__starts_at__lte=moment + lead,
            **{f"{field}__isnull": True},
        ).values_list("pk", flat=True)
        for registration_id in list(due):
            with transaction.atomic():
                claim = {field: moment}
                if which == "hour":  # an hour before, the day reminder is no longer useful
                    claim["reminded_day_at"] = moment
                claimed = EventRegistration.objects.filter(
                    pk=registration_id,
                    state=RegistrationState.CONFIRMED,
                    **{f"{field}__isnull": True},
                ).update(**claim)
                if not claimed:
                    continue
                registration = EventRegistration.objects.select_related("event", "user").get(
                    pk=registration_id
                )
                notify.notify_event_reminder(registration=registration, which=which)
                sent += 1
    return sent


# --- Guest experts ----------------------------------------------------------------------------


@transaction.atomic
def guest_expert_grant(
    *, user: User | AnonymousUser, expert_id: int, title: str = ""
) -> GuestExpert:
    """Staff give someone the guest expert badge (or change its title)."""
    granter = require_permission(
        user, "promote_reporter", message=_("Only staff can give the guest expert badge.")
    )
    expert = User.objects.filter(pk=expert_id, is_active=True).first()
    if expert is None:
        raise NotFound(_("We could not find that person."))
    label = _text(title, field="title", limit=120, required=False)
    badge, _created = GuestExpert.objects.update_or_create(
        user=expert, defaults={"title": label, "granted_by": granter}
    )
    return badge


def guest_expert_grant_by_email(
    *, user: User | AnonymousUser, email: str, title: str = ""
) -> GuestExpert:
    """The staff page names the person by their email address."""
    require_permission(
        user, "promote_reporter", message=_("Only staff can give the guest expert badge.")
    )
    address = (email or "").strip()
    expert = User.objects.filter(email__iexact=address, is_active=True).first() if address else None
    if expert is None:
        message = _("Nobody with that email address has an account.")
        raise NotFound(message, fields={"email": [message]})
    return guest_expert_grant(user=user, expert_id=expert.pk, title=title)


@transaction.atomic
def guest_expert_revoke(*, user: User | AnonymousUser, expert_id: int) -> None:
    require_permission(
        user, "promote_reporter", message=_("Only staff can take back the guest expert badge.")
    )
    deleted, _rows = GuestExpert.objects.filter(user_id=expert_id).delete()
    if not deleted:
        raise NotFound(_("This person has no guest expert badge."), code=ErrorCode.NOT_EXPERT)
