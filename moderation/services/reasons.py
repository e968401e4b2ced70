"""The checks on what an editor or a viewer writes: listed reasons and free-text notes."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import ValidationFailed


def reject_reasons() -> dict[str, str]:
    """The configured reasons an editor picks from: code -> label."""
    return {str(code): str(label) for code, label in settings.MODERATION_REJECT_REASONS}


def check_text(value: str, *, field: str, required: bool = False) -> str:
    """The note stripped, refused when missing (if `required`) or over the configured length."""
    value = (value or "").strip()
    limit = settings.MODERATION_TEXT_MAX_LENGTH
    if required and not value:
        raise ValidationFailed(
            _("Please write a note."), fields={field: [_("This field is required.")]}
        )
    if len(value) > limit:
        message = _("Keep it under %(limit)d characters (this is %(length)d).") % {
            "limit": limit,
            "length": len(value),
        }
        raise ValidationFailed(message, code=ErrorCode.TOO_LONG, fields={field: [message]})
    return value


def parse_reason(reason_code: str, text: str) -> tuple[str, str, str]:
    """(code, free text, what the reporter reads) after checking the code and the length."""
    reasons = reject_reasons()
    if reason_code not in reasons:
        raise ValidationFailed(
            _("Choose one of the listed reasons."),
            fields={"reason_code": [_("Choose one of the listed reasons.")]},
        )
    text = check_text(text, field="reason_text")
    readable = reasons[reason_code] + (f": {text}" if text else "")
    return reason_code, text, readable
