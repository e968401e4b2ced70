"""profile_update: trimmed values, validated before saving."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fieldcast.accounts import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_update_saves_trimmed_values() -> None:
    # given a person
    user = UserFactory(display_name="Old", city="Lagos", bio="")

    # when they update their profile with stray spaces
    services.profile_update(
        user=user, display_name="  Amina  ", bio=" Reports on floods. ", city=" Accra"
    )

    # then the trimmed values are stored
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.city) == ("Amina", "Reports on floods.", "Accra")
    assert user.public_name == "Amina"


def test_profile_update_refuses_an_overlong_name_and_changes_nothing() -> None:
    # given a person
    user = UserFactory(display_name="Old", city="Lagos", bio="")

    # when the display name is too long
    with pytest.raises(ValidationError) as raised:
        services.profile_update(user=user, display_name="x" * 61, bio="", city="Accra")

    # then nothing is stored
    assert set(raised.value.message_dict) == {"display_name"}
    user.refresh_from_db()
    assert (user.display_name, user.city) == ("Old", "Lagos")


def test_public_name_falls_back_to_the_email_name() -> None:
    # given a person without a display name
    user = UserFactory(email="kofi@example.org", display_name="")

    # then they are shown by the part of their email before the @
    assert user.public_name == "kofi"
    assert str(user) == "kofi"
