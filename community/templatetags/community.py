"""Template tags: the watch page's comment block, the header bell, safe comment bodies."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from django import template
from django.conf import settings
from django.template import Context
from django.utils import translation
from django.utils.safestring import SafeString

from community.comments import selectors
from community.comments.rendering import render_comment
from community.models import DigestFrequency, Notification
from community.notifications import digest, notify
from fieldcast.videos.models import Video

register = template.Library()


@register.inclusion_tag("community/_block.html", takes_context=True)
def video_community(context: Context, video: Video) -> dict[str, Any]:
    """Likes, follow and comments under a published video (nothing for an unpublished one)."""
    request = context["request"]
    if video.state != "published":
        return {"cblock": None}
    try:
        page = max(1, int(request.GET.get("comments_page", "1")))
    except ValueError:
        page = 1
    block = selectors.comment_block(video=video, user=request.user, page=page)
    return {
        "cblock": block,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("community/_bell_inner.html", takes_context=True)
def notification_bell(context: Context) -> dict[str, Any]:
    user = context["request"].user
    if not user.is_authenticated:
        return {"show": False}
    return {"show": True, "unread": notify.unread_count(user_id=user.pk)}


@register.inclusion_tag("community/_preferences_inner.html", takes_context=True)
def notification_preferences(context: Context) -> dict[str, Any]:
    """The per-kind switches (app and email) and the digest choice, for the profile page and
    the notifications page (posts to the notifications page)."""
    request = context["request"]
    if not request.user.is_authenticated:
        return {"kinds": []}
    chosen = digest.settings_for(user=request.user)
    return {
        "kinds": notify.preferences(user=request.user),
        "digest": chosen.digest,
        "digest_choices": DigestFrequency.choices,
        "language": chosen.language or translation.get_language() or settings.LANGUAGE_CODE,
        "languages": settings.LANGUAGES,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def comment_html(text: str) -> SafeString:
    return render_comment(text)


@register.filter
def contains(container: Container[object], item: object) -> bool:
    return item in container


@register.filter
def notification_text(item: Notification) -> str:
    """The sentence for one notification, in the reader's language (`notify` decides)."""
    return notify.notification_text(item)
