"""Events (online Q&As, meet-ups, trainings), sign-ups with a waiting list, guest experts."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    ONLINE = "online", _("Online Q&A")
    MEETUP = "meetup", _("Meet-up")
    TRAINING = "training", _("Training")


class Event(models.Model):
    """A Q&A online or a meet-up/training in a place, with a capacity and a waiting list."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Not stored: the events page puts the visitor's own sign-up here for its list.
    my_registration: EventRegistration | None = None

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_online(self) -> bool:
        return self.kind == EventKind.ONLINE


class RegistrationState(models.TextChoices):
    CONFIRMED = "confirmed", _("Has a place")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class EventRegistration(models.Model):
    """One person's sign-up; the waiting list is the WAITING rows in `queued_at` order."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    state = models.CharField(max_length=10, choices=RegistrationState.choices, db_index=True)
    queued_at = models.DateTimeField()  # when this person (re)joined: the waiting-list order
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set once by the reminder task (a conditional update): each reminder goes out once.
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["queued_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["event", "user"], name="community_one_registration")
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["event", "state", "queued_at"])
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} for event {self.event_id}"


class GuestExpert(models.Model):
    """Staff marked this person as a guest expert (a professional journalist or specialist):
    their comments and chat messages carry the badge."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guest_expert"
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"guest expert {self.user_id}"
