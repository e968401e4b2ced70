"""A person's choice to show on the leaderboards or not."""

from __future__ import annotations

from django.db import transaction

from fieldcast.accounts.models import User
from fieldcast.points.models import PointsAccount, PointsPeriodTotal
from fieldcast.points.services.ledger import _account_locked


def points_board_visibility_set(*, user: User, hidden: bool) -> PointsAccount:
    """Hide the user from (or show them on) every public board, past periods included."""
    with transaction.atomic():
        account = _account_locked(user)
        account.hide_from_boards = bool(hidden)
        account.save(update_fields=["hide_from_boards", "updated_at"])
        PointsPeriodTotal.objects.filter(user=user).update(hidden=account.hide_from_boards)
        return account
