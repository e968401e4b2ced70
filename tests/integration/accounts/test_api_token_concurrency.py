"""Two token requests at once (a double click) leave one working token, not a server error."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from fieldcast.accounts import services
from fieldcast.accounts.models import ApiToken
from fieldcast.accounts.selectors import api_token_for_key
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 6


def test_concurrent_token_requests_leave_one_token() -> None:
    # given a person, and several requests for a token arriving together
    user = UserFactory()
    start = threading.Barrier(ATTEMPTS)
    keys: list[str] = []
    errors: list[BaseException] = []

    def request_token() -> None:
        try:
            start.wait()
            keys.append(services.api_token_create(user=user))
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    # when they run at the same time
    threads = [threading.Thread(target=request_token) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every request succeeded, and exactly one of the keys works
    assert errors == []
    assert len(keys) == ATTEMPTS
    assert ApiToken.objects.filter(user=user).count() == 1
    assert [key for key in keys if api_token_for_key(key=key) is not None] != []
    assert len([key for key in keys if api_token_for_key(key=key) is not None]) == 1
