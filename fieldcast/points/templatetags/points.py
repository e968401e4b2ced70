"""{% points_profile_card user %}: the points card on the profile page."""

from __future__ import annotations

from typing import Any

from django import template

from fieldcast.accounts.models import User
from fieldcast.points.selectors import points_summary

register = template.Library()


@register.inclusion_tag("points/_card.html", takes_context=True)
def points_profile_card(context: template.Context, user: User) -> dict[str, Any]:
    return {
        "summary": points_summary(user=user),
        "own": True,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
