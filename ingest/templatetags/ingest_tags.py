"""The stream keys section of the profile page, rendered with its own data."""

from __future__ import annotations

from typing import Any

from django import template

from fieldcast.accounts import roles
from ingest.selectors import stream_keys_for_user

register = template.Library()


@register.inclusion_tag("ingest/_stream_keys.html", takes_context=True)
def stream_keys_section(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    can = roles.has_role_permission(user, "go_live")
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "can_go_live": can,
        "stream_keys": list(stream_keys_for_user(user=user)) if can else [],
    }
