"""Trusted reporters: staff mark whose items come first in the queue."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from fieldcast.accounts.guards import require_permission
from fieldcast.accounts.models import User
from fieldcast.core.errors import NotFound
from moderation.models import AuditAction, Case, CaseStatus, TrustedReporter
from moderation.services.audit import audit_write
from moderation.services.cases import set_priority


@transaction.atomic
def trusted_reporter_set(*, user_id: int, trusted: bool, staff: User) -> bool:
    """Staff mark a reporter as trusted (their items first) or not. Never auto-publishes."""
    require_permission(
        staff, "promote_reporter", message=_("Only staff can change who is trusted.")
    )
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("We could not find that person."))
    was = TrustedReporter.objects.filter(user=user).exists()
    if trusted and not was:
        TrustedReporter.objects.create(user=user, set_by=staff)
    elif not trusted and was:
        TrustedReporter.objects.filter(user=user).delete()
    for case in Case.objects.select_for_update().filter(submitted_by=user, status=CaseStatus.OPEN):
        set_priority(case)
        case.save(update_fields=["priority_boost_hours", "priority_at"])
    audit_write(
        actor=staff,
        action=AuditAction.TRUST,
        subject_user=user,
        before={"trusted": was},
        after={"trusted": trusted},
    )
    return trusted
