"""Activity trail entries for happenings outside Fieldcast's own services.

Logins come from Django's `user_logged_in` signal (allauth, the admin and API token logins all
go through `django.contrib.auth.login`). A finished tus upload is seen when the video is saved
into `uploaded` by `upload_complete` (its `update_fields` name the state); live recordings are
created as `uploaded` in one go and count as the "live" activity instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from fieldcast.points.models import ActivityKind
from fieldcast.points.services import activity_record
from fieldcast.videos.models import Video, VideoState


@receiver(user_logged_in, dispatch_uid="points_activity_login")
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    activity_record(user=user, kind=ActivityKind.LOGIN, obj=None)


@receiver(post_save, sender=Video, dispatch_uid="points_activity_upload")
def record_upload_finished(
    sender: Any, instance: Video, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created or not update_fields or "state" not in update_fields:
        return
    if instance.state == VideoState.UPLOADED:
        activity_record(user=instance.owner_id, kind=ActivityKind.UPLOAD, obj=instance)
