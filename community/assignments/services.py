"""Writes on assignments: editors publish, close and mark used footage; reporters accept them.

Used footage of an assignment that feeds a story joins the story's timeline
(`community.stories.services.story_place_video`).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.common import clean_text
from community.models import (
    Assignment,
    AssignmentAcceptance,
    AssignmentState,
    AssignmentUse,
    Story,
    Urgency,
)
from community.notifications import notify
from community.stories.services import story_place_video
from fieldcast.accounts import roles
from fieldcast.accounts.guards import require_permission, require_user
from fieldcast.accounts.models import User
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from fieldcast.points.services import points_award
from fieldcast.videos.models import Video, VideoState

ASSIGNMENT_MAX_BONUS: int = getattr(settings, "COMMUNITY_ASSIGNMENT_MAX_BONUS", 1000)


@transaction.atomic
def assignment_publish(
    *,
    user: User | AnonymousUser,
    title: str,
    brief: str,
    city: str,
    starts_at: datetime,
    ends_at: datetime,
    urgency: str = Urgency.NORMAL,
    points_bonus: int = 0,
    story_id: int | None = None,
) -> Assignment:
    """An editor publishes a call for footage; reporters see it at once (near them first) and
    reporters in its city are notified."""
    editor = require_permission(
        user, "moderate_content", message=_("Only editors can publish assignments.")
    )
    fields = {
        "title": clean_text(title, field="title", limit=200),
        "brief": clean_text(brief, field="brief", limit=5000),
        "city": clean_text(city, field="city", limit=80),
    }
    if ends_at <= starts_at:
        message = _("The end must be after the start.")
        raise ValidationFailed(message, fields={"ends_at": [message]})
    if urgency not in Urgency.values:
        message = _("Choose an urgency from the list.")
        raise ValidationFailed(message, fields={"urgency": [message]})
    if isinstance(points_bonus, bool) or not 0 <= points_bonus <= ASSIGNMENT_MAX_BONUS:
        message = _("A bonus is between 0 and %(max)d points.") % {"max": ASSIGNMENT_MAX_BONUS}
        raise ValidationFailed(message, fields={"points_bonus": [message]})
    story = None
    if story_id is not None:
        story = Story.objects.filter(pk=story_id).first()
        if story is None:
            message = _("We could not find that story.")
            raise ValidationFailed(message, fields={"story_id": [message]})
    assignment = Assignment.objects.create(
        **fields,
        starts_at=starts_at,
        ends_at=ends_at,
        urgency=urgency,
        points_bonus=points_bonus,
        created_by=editor,
        story=story,
    )
    notify.notify_assignment_published(assignment=assignment)
    return assignment


@transaction.atomic
def assignment_close(*, user: User | AnonymousUser, assignment_id: int) -> Assignment:
    """An editor closes the call: it leaves the open list; contributions can still be marked."""
    require_permission(user, "moderate_content", message=_("Only editors can close assignments."))
    assignment = Assignment.objects.select_for_update().filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound(_("We could not find that assignment."))
    if assignment.state == AssignmentState.CLOSED:
        raise Conflict(_("This assignment is already closed."), code=ErrorCode.ALREADY_CLOSED)
    assignment.state = AssignmentState.CLOSED
    assignment.closed_at = timezone.now()
    assignment.save(update_fields=["state", "closed_at"])
    return assignment


def assignment_mark_used(
    *, user: User | AnonymousUser, assignment_id: int, video_id: int
) -> AssignmentUse:
    """An editor marks a published contribution as used: its reporter earns the
    "assignment_contribution" points plus the assignment's bonus, once."""
    editor = require_permission(
        user, "moderate_content", message=_("Only editors can mark contributions.")
    )
    try:
        with transaction.atomic():
            assignment = Assignment.objects.filter(pk=assignment_id).first()
            if assignment is None:
                raise NotFound(_("We could not find that assignment."))
            video = (
                Video.objects.select_related("owner")
                .filter(pk=video_id, state=VideoState.PUBLISHED, assignment_ref=assignment.ref)
                .first()
            )
            if video is None:
                raise NotFound(_("That video is not a published contribution to this assignment."))
            use = AssignmentUse.objects.create(assignment=assignment, video=video, marked_by=editor)
            if assignment.story_id is not None:
                story_place_video(story_id=assignment.story_id, video=video, editor=editor)
            points_award(
                user=video.owner,
                rule="assignment_contribution",
                obj=video,
                key=f"assignment:{assignment.pk}:video:{video.pk}",
                bonus=assignment.points_bonus,
                assignment_ref=assignment.ref,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This video is already marked as used."), code=ErrorCode.ALREADY_USED
        ) from exc
    return use


def assignment_accept(*, user: User | AnonymousUser, assignment_id: int) -> AssignmentAcceptance:
    """A reporter takes on an open assignment: it goes on their list of accepted calls."""
    reporter = require_user(user)
    if not (
        roles.has_role_permission(reporter, "upload_video")
        or roles.has_role_permission(reporter, "go_live")
    ):
        raise PermissionDenied(_("Only reporters can accept assignments."))
    try:
        with transaction.atomic():
            assignment = Assignment.objects.select_for_update().filter(pk=assignment_id).first()
            if assignment is None:
                raise NotFound(_("We could not find that assignment."))
            if assignment.state != AssignmentState.OPEN:
                raise Conflict(_("This assignment is closed."), code=ErrorCode.ASSIGNMENT_CLOSED)
            if assignment.ends_at <= timezone.now():
                raise Conflict(_("This assignment has ended."), code=ErrorCode.ASSIGNMENT_ENDED)
            return AssignmentAcceptance.objects.create(assignment=assignment, reporter=reporter)
    except IntegrityError as exc:
        raise Conflict(
            _("You have already accepted this assignment."), code=ErrorCode.ALREADY_ACCEPTED
        ) from exc


@transaction.atomic
def assignment_withdraw(*, user: User | AnonymousUser, assignment_id: int) -> None:
    """A reporter takes an assignment off their list (footage already sent stays)."""
    reporter = require_user(user)
    deleted, _rows = AssignmentAcceptance.objects.filter(
        reporter=reporter, assignment_id=assignment_id
    ).delete()
    if not deleted:
        raise NotFound(_("You have not accepted this assignment."), code=ErrorCode.NOT_ACCEPTED)
