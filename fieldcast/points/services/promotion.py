"""Staff promote a star reporter to network reporter, or take it back, recorded with who and why."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from fieldcast.accounts.guards import require_permission
from fieldcast.accounts.models import User
from fieldcast.accounts.services import user_grant_role
from fieldcast.core.error_codes import ErrorCode
from fieldcast.core.errors import Conflict, ValidationFailed
from fieldcast.points import selectors
from fieldcast.points.models import PromotionAction, PromotionRecord, Tier
from fieldcast.points.services.ledger import _account_locked


def reporter_promote(*, user: User, staff: User, reason: str) -> PromotionRecord:
    """Staff make a star reporter a network reporter (the configured role); who/when/why kept."""
    require_permission(
        staff, "promote_reporter", message=_("Only staff can promote or demote reporters.")
    )
    reason = _required_reason(reason)
    with transaction.atomic():
        account = _account_locked(user)
        if account.tier != Tier.STAR:
            raise Conflict(
                _("Only star reporters can be promoted to network reporter."),
                code=ErrorCode.NOT_STAR,
            )
        if selectors.is_network_reporter(user=user):
            raise Conflict(
                _("This reporter is already a network reporter."), code=ErrorCode.ALREADY
            )
        role = settings.POINTS_NETWORK_REPORTER_ROLE
        user_grant_role(user=user, role=role, granted_by=staff)
        return PromotionRecord.objects.create(
            user=user, action=PromotionAction.PROMOTE, role=role, by=staff, reason=reason
        )


def reporter_demote(*, user: User, staff: User, reason: str) -> PromotionRecord:
    """Staff take the network reporter role back; who/when/why kept."""
    require_permission(
        staff, "promote_reporter", message=_("Only staff can promote or demote reporters.")
    )
    reason = _required_reason(reason)
    with transaction.atomic():
        _account_locked(user)
        if not selectors.is_network_reporter(user=user):
            raise Conflict(
                _("This reporter is not a network reporter."), code=ErrorCode.NOT_PROMOTED
            )
        role = settings.POINTS_NETWORK_REPORTER_ROLE
        # accounts has no "revoke role" service yet; the group is the role (accounts/roles.py).
        user.groups.remove(Group.objects.get(name=role))
        return PromotionRecord.objects.create(
            user=user, action=PromotionAction.DEMOTE, role=role, by=staff, reason=reason
        )


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why: the record keeps it."),
            code=ErrorCode.REASON_REQUIRED,
            fields={"reason": [_("A reason is required.")]},
        )
    return reason
