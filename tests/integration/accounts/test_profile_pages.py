"""The profile page: edit your profile, create and revoke your API token (HTMX and plain forms)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fieldcast.accounts.models import ApiToken, User
from fieldcast.accounts.selectors import api_token_for_key

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

HTMX = {"HTTP_HX_REQUEST": "true"}


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _shown_key(html: str) -> str:
    match = re.search(r'data-testid="new-token">([^<]+)<', html)
    assert match is not None, html
    return match.group(1)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_profile_needs_login(client: Client) -> None:
    # when an anonymous visitor opens the profile
    response = client.get("/accounts/profile/")

    # then they are sent to log in
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_profile_shows_roles_and_no_token(reporter: User) -> None:
    # when a reporter opens their profile
    response = _logged_in(reporter).get("/accounts/profile/")

    # then they see their roles and that they have no token
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["roles"] == ["viewer", "reporter"]
    assert "You have no API token." in html
    assert "Create token" in html


def test_create_token_with_htmx_returns_the_partial(viewer: User) -> None:
    # when the profile's token button is clicked (HTMX)
    response = _logged_in(viewer).post("/accounts/profile/token/", **HTMX)

    # then only the token section comes back, showing a key that works
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Copy it now: it will not be shown again." in html
    key = _shown_key(html)
    token = api_token_for_key(key=key)
    assert token is not None
    assert token.user == viewer
    assert "Replace token" in html


def test_create_token_with_a_plain_form_returns_the_profile(viewer: User) -> None:
    # when the form is posted without JavaScript
    response = _logged_in(viewer).post("/accounts/profile/token/")

    # then the whole profile page comes back with the new key
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Your profile" in html
    assert api_token_for_key(key=_shown_key(html)) is not None


def test_replace_token_from_the_profile_revokes_the_old_key(viewer: User) -> None:
    # given a person who made a token on the profile page
    client = _logged_in(viewer)
    old_key = _shown_key(client.post("/accounts/profile/token/", **HTMX).content.decode())

    # when they replace it
    new_key = _shown_key(client.post("/accounts/profile/token/", **HTMX).content.decode())

    # then only the new key works
    assert api_token_for_key(key=old_key) is None
    assert api_token_for_key(key=new_key) is not None
    assert ApiToken.objects.filter(user=viewer).count() == 1


def test_profile_does_not_show_the_key_again(viewer: User) -> None:
    # given a person who made a token
    client = _logged_in(viewer)
    key = _shown_key(client.post("/accounts/profile/token/", **HTMX).content.decode())

    # when they reload the profile
    html = client.get("/accounts/profile/").content.decode()

    # then only the prefix is shown
    assert key not in html
    assert f"<code>{key[:8]}…</code>" in html
    assert 'data-testid="new-token"' not in html


def test_revoke_token_with_htmx(viewer: User) -> None:
    # given a person with a token
    client = _logged_in(viewer)
    key = _shown_key(client.post("/accounts/profile/token/", **HTMX).content.decode())

    # when they revoke it (HTMX)
    response = client.post("/accounts/profile/token/revoke/", **HTMX)

    # then the token section says there is none, and the key is dead
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "You have no API token." in html
    assert api_token_for_key(key=key) is None


def test_revoke_token_with_a_plain_form(viewer: User) -> None:
    # given a person with a token
    client = _logged_in(viewer)
    client.post("/accounts/profile/token/")

    # when they revoke it without JavaScript
    response = client.post("/accounts/profile/token/revoke/", follow=True)

    # then they are back on the profile with a confirmation
    assert response.redirect_chain == [("/accounts/profile/", 302)]
    assert _messages(response) == ["Your API token was revoked. Programs using it are locked out."]
    assert ApiToken.objects.filter(user=viewer).count() == 0


def test_revoke_without_a_token_says_so(viewer: User) -> None:
    # when a person without a token revokes
    response = _logged_in(viewer).post("/accounts/profile/token/revoke/", follow=True)

    # then they are told there is nothing to revoke
    assert _messages(response) == ["You have no API token to revoke."]


def test_token_buttons_need_post(viewer: User) -> None:
    # when the token addresses are opened with GET (a link, a prefetch)
    client = _logged_in(viewer)
    created = client.get("/accounts/profile/token/")
    revoked = client.get("/accounts/profile/token/revoke/")

    # then nothing happens
    assert created.status_code == 405
    assert revoked.status_code == 405
    assert ApiToken.objects.count() == 0


def test_token_buttons_need_login(client: Client, viewer: User) -> None:
    # when an anonymous visitor posts to the token address
    response = client.post("/accounts/profile/token/")

    # then they are sent to log in and nothing is created
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert ApiToken.objects.count() == 0


def test_profile_update(viewer: User) -> None:
    # given a logged-in person
    client = _logged_in(viewer)

    # when they save their profile
    response = client.post(
        "/accounts/profile/",
        {"display_name": " Amina B. ", "city": "Accra", "bio": "Floods and markets."},
        follow=True,
    )

    # then it is stored and they are told
    assert response.redirect_chain == [("/accounts/profile/", 302)]
    assert _messages(response) == ["Your profile was saved."]
    viewer.refresh_from_db()
    assert (viewer.display_name, viewer.city, viewer.bio) == (
        "Amina B.",
        "Accra",
        "Floods and markets.",
    )


def test_profile_update_with_an_overlong_name_changes_nothing(viewer: User) -> None:
    # given a logged-in person
    client = _logged_in(viewer)
    before = (viewer.display_name, viewer.city, viewer.bio)

    # when the display name is too long
    response = client.post(
        "/accounts/profile/", {"display_name": "x" * 61, "city": "Accra", "bio": ""}
    )

    # then the form says why and nothing is stored
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "display_name": ["Ensure this value has at most 60 characters (it has 61)."]
    }
    viewer.refresh_from_db()
    assert (viewer.display_name, viewer.city, viewer.bio) == before


def _png(width: int = 8, height: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_profile_update_with_an_avatar_stores_it(viewer: User) -> None:
    # given a logged-in person with a small picture
    client = _logged_in(viewer)
    picture = SimpleUploadedFile("me.png", _png(), content_type="image/png")

    # when they save their profile with it
    response = client.post(
        "/accounts/profile/",
        {"display_name": "Amina", "city": "Accra", "bio": "", "avatar": picture},
    )

    # then the picture, re-encoded under a name of its own, is in the configured storage
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.avatar.name.startswith("avatars/")
    assert viewer.avatar.name.endswith(".png")
    assert default_storage.exists(viewer.avatar.name)
    with default_storage.open(viewer.avatar.name) as stored, Image.open(stored) as image:
        with Image.open(io.BytesIO(_png())) as original:
            assert (image.format, image.size) == ("PNG", original.size)
    default_storage.delete(viewer.avatar.name)


def test_profile_update_with_a_file_that_is_not_an_image_changes_nothing(viewer: User) -> None:
    # given a logged-in person
    client = _logged_in(viewer)
    fake = SimpleUploadedFile("me.png", b"not really a picture", content_type="image/png")

    # when they upload something that is not a picture
    response = client.post(
        "/accounts/profile/", {"display_name": "Amina", "city": "Accra", "bio": "", "avatar": fake}
    )

    # then the form refuses it and nothing is stored
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["avatar"]
    viewer.refresh_from_db()
    assert viewer.avatar.name == ""
    assert viewer.display_name != "Amina"


def test_profile_update_with_a_picture_too_large_shows_why_and_changes_nothing(
    viewer: User,
) -> None:
    # given a logged-in person and a 5000 × 10 picture
    from tests.stored_state import stored_state

    client = _logged_in(viewer)
    out = io.BytesIO()
    Image.new("L", (5000, 10)).save(out, format="PNG")
    picture = SimpleUploadedFile("wide.png", out.getvalue(), content_type="image/png")
    before = stored_state(media=True)

    # when
    response = client.post(
        "/accounts/profile/",
        {"display_name": "Amina", "city": "Accra", "bio": "", "avatar": picture},
    )

    # then the form says why, and nothing changed
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "avatar": ["The picture is 5000 × 10 pixels; at most 4096 pixels a side are allowed."]
    }
    assert stored_state(media=True) == before
