"""The live chat panel: `{% load community_chat %}{% chat_panel channel %}` (see chat_panel.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from community.chat import selectors as chat_selectors
from community.chat.services import MESSAGE_MAX_LENGTH
from fieldcast.accounts import roles

register = template.Library()


def chat_strings() -> dict[str, str]:
    """What chat.js says, in the reader's language (JavaScript has no catalog of its own)."""
    return {
        "guest_expert": pgettext("chat badge", "Guest expert"),
        "remove": _("Remove"),
        "mute": _("Mute 10 min"),
        "mute_everywhere": _("Mute 10 min in every chat"),
        "empty": _("No messages yet. Say hello!"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "gap": _("Some older messages were left out while you were away."),
        "muted_until": _("An editor muted you in this chat until {time}."),
        "slow_mode": _("Slow mode: one message every {seconds} seconds."),
        "failed": _("That did not work. Please try again."),
        "confirm_remove": _("Remove this message for everyone?"),
    }


@register.inclusion_tag("community/_chat_panel_inner.html", takes_context=True)
def chat_panel(context: Context, channel: str) -> dict[str, Any]:
    request = context["request"]
    slug = chat_selectors.clean_channel(str(channel))
    user = request.user
    muted_until = (
        chat_selectors.chat_muted_until(channel=slug, user=user) if user.is_authenticated else None
    )
    return {
        "channel": slug,
        "user": user,
        "is_editor": roles.has_role_permission(user, "moderate_content"),
        "csrf_token": context.get("csrf_token"),
        "ws_path": f"/ws/chat/{slug}/",
        "api_path": reverse("api-chat-messages", kwargs={"channel": slug}),
        "slow_mode_seconds": chat_selectors.slow_mode_seconds(channel=slug),
        "muted_until": muted_until.isoformat() if muted_until else "",
        "max_length": MESSAGE_MAX_LENGTH,
        "chat_config": {
            "strings": chat_strings(),
            "tiers": chat_selectors.tier_labels(),
        },
        "slow_mode_choices": [
            (0, pgettext("chat slow mode", "Off")),
            (5, "5 s"),
            (30, "30 s"),
            (60, "60 s"),
            (300, "300 s"),
        ],
        "login_url": f"{reverse('account_login')}?next={request.get_full_path()}",
    }
