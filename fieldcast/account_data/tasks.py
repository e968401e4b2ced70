"""Periodic: carry out account deletions whose cooling-off period is over."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="account_data.erase_due", ignore_result=True)
def accounts_erase_due() -> int:
    from fieldcast.account_data import services  # noqa: PLC0415 - the HackSoft task pattern

    return services.accounts_erase_due()
