"""API token services: one token per person, stored only as a hash, revocable."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from fieldcast.accounts import services
from fieldcast.accounts.models import ApiToken
from fieldcast.accounts.selectors import api_token_for_key
from fieldcast.core.errors import NotFound
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_its_hash() -> None:
    # given a person
    user = UserFactory()

    # when they get a token
    key = services.api_token_create(user=user)

    # then only the SHA-256 and a short prefix are stored, never the key
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    stored = list(ApiToken.objects.filter(pk=token.pk).values_list(flat=False))[0]
    assert key not in [str(value) for value in stored]
    assert len(key) >= 40


def test_token_is_found_by_its_key_only() -> None:
    # given a person with a token
    user = UserFactory()
    key = services.api_token_create(user=user)

    # when looked up by the key and by something else
    found = api_token_for_key(key=key)
    missing = api_token_for_key(key=key[:-1])

    # then only the exact key matches
    assert found is not None
    assert found.user == user
    assert missing is None


def test_inactive_user_token_does_not_authenticate() -> None:
    # given a person with a token whose account was deactivated
    user = UserFactory()
    key = services.api_token_create(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    # when the key is looked up
    found = api_token_for_key(key=key)

    # then it is not accepted
    assert found is None


def test_new_token_replaces_the_old_one() -> None:
    # given a person with a token
    user = UserFactory()
    old_key = services.api_token_create(user=user)

    # when they get a new one
    new_key = services.api_token_create(user=user)

    # then the old key is dead and there is still one token
    assert new_key != old_key
    assert api_token_for_key(key=old_key) is None
    assert api_token_for_key(key=new_key) is not None
    assert ApiToken.objects.filter(user=user).count() == 1


def test_revoke_deletes_the_token() -> None:
    # given a person with a token
    user = UserFactory()
    key = services.api_token_create(user=user)

    # when they revoke it
    services.api_token_revoke(user=user)

    # then it is gone
    assert api_token_for_key(key=key) is None
    assert ApiToken.objects.filter(user=user).count() == 0


def test_revoke_without_a_token_is_not_found() -> None:
    # given a person without a token, and another person with one
    user = UserFactory()
    other = UserFactory()
    services.api_token_create(user=other)

    # when the first revokes
    with pytest.raises(NotFound) as raised:
        services.api_token_revoke(user=user)

    # then it is refused with no_token, and the other person's token is untouched
    assert raised.value.code == "no_token"
    assert raised.value.message == "You have no API token to revoke."
    assert ApiToken.objects.filter(user=other).count() == 1


def test_touch_records_use_at_most_every_few_minutes() -> None:
    # given a token used a minute ago
    user = UserFactory()
    services.api_token_create(user=user)
    token = ApiToken.objects.get(user=user)
    recently = timezone.now() - timedelta(minutes=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recently)
    token.refresh_from_db()

    # when it is used again
    services.api_token_touch(token=token)

    # then the stored time is unchanged (authentication stays a read)
    token.refresh_from_db()
    assert token.last_used_at == recently


def test_touch_records_first_use() -> None:
    # given a token never used
    user = UserFactory()
    services.api_token_create(user=user)
    token = ApiToken.objects.get(user=user)

    # when it is used
    services.api_token_touch(token=token)

    # then the time of use is stored
    token.refresh_from_db()
    assert token.last_used_at is not None
