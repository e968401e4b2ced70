"""Roles are groups with exactly the permissions of ROLE_PERMISSIONS; only staff change them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from fieldcast.accounts import roles, services
from fieldcast.accounts.models import User
from fieldcast.core.errors import PermissionDenied, ValidationFailed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _codenames(group: Group) -> set[str]:
    return set(group.permissions.values_list("codename", flat=True))


def _role_names(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_sync_roles_creates_the_four_groups_with_their_permissions() -> None:
    # given no role groups
    Group.objects.all().delete()

    # when the roles are synchronised
    roles.sync_roles()

    # then each role is a group holding exactly the permissions of the table
    assert set(Group.objects.values_list("name", flat=True)) == {
        "viewer",
        "reporter",
        "editor",
        "staff",
    }
    assert _codenames(Group.objects.get(name="viewer")) == set()
    assert _codenames(Group.objects.get(name="reporter")) == {"upload_video", "go_live"}
    assert _codenames(Group.objects.get(name="editor")) == {
        "upload_video",
        "go_live",
        "moderate_content",
        "operate_studio",
    }
    assert _codenames(Group.objects.get(name="staff")) == {
        "upload_video",
        "go_live",
        "moderate_content",
        "operate_studio",
        "promote_reporter",
        "view_dashboards",
    }
    for role, codenames in roles.ROLE_PERMISSIONS.items():
        assert _codenames(Group.objects.get(name=role)) == set(codenames)


def test_sync_roles_removes_permissions_added_by_hand() -> None:
    # given a viewer group someone gave an extra permission in the admin
    roles.sync_roles()
    viewer_group = Group.objects.get(name="viewer")
    viewer_group.permissions.add(Permission.objects.get(codename="moderate_content"))

    # when the roles are synchronised again
    roles.sync_roles()

    # then the table wins, and no group is duplicated
    assert _codenames(Group.objects.get(name="viewer")) == set()
    assert Group.objects.filter(name="viewer").count() == 1


def test_new_user_setup_gives_the_viewer_role() -> None:
    # given a brand-new account with no groups
    user = User.objects.create_user("new@example.org", "a-long-and-unusual-passphrase")

    # when it is set up
    services.user_setup_new(user=user)

    # then it is a viewer, and may not upload
    assert _role_names(user) == {"viewer"}
    assert not user.has_perm("accounts.upload_video")


def test_verified_email_grants_reporter() -> None:
    # given a viewer
    user = UserFactory()

    # when their email is verified
    services.user_grant_reporter_on_verified_email(user=user)

    # then they may upload and go live, but not moderate
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    assert _role_names(user) == {"viewer", "reporter"}
    assert user.has_perm("accounts.upload_video")
    assert user.has_perm("accounts.go_live")
    assert not user.has_perm("accounts.moderate_content")


def test_non_staff_cannot_grant_a_role() -> None:
    # given an editor (not staff) and a viewer
    editor = UserFactory(roles=["reporter", "editor"])
    target = UserFactory()

    # when the editor tries to make the viewer staff
    with pytest.raises(PermissionDenied) as raised:
        services.user_grant_role(user=target, role="staff", granted_by=editor)

    # then it is refused and nothing changed
    assert raised.value.code == "permission_denied"
    assert raised.value.message == "Only staff can change roles."
    target.refresh_from_db()
    assert _role_names(target) == {"viewer"}
    assert target.is_staff is False


def test_staff_can_grant_a_role() -> None:
    # given a staff member and a viewer
    staff = UserFactory(roles=["reporter", "editor", "staff"], is_staff=True)
    target = UserFactory()

    # when staff makes the viewer an editor
    services.user_grant_role(user=target, role="editor", granted_by=staff)

    # then the viewer is an editor and still not on the admin site
    target.refresh_from_db()
    assert _role_names(target) == {"viewer", "editor"}
    assert target.is_staff is False


def test_granting_staff_opens_the_admin_site() -> None:
    # given a viewer
    target = UserFactory()

    # when the system makes them staff
    services.user_grant_role(user=target, role="staff", granted_by=None)

    # then they are in the staff group and may use Django admin
    target.refresh_from_db()
    assert _role_names(target) == {"viewer", "staff"}
    assert target.is_staff is True


def test_unknown_role_is_refused() -> None:
    # given a staff member and a viewer
    staff = UserFactory(roles=["staff"], is_staff=True)
    target = UserFactory()

    # when a role that does not exist is granted
    with pytest.raises(ValidationFailed) as raised:
        services.user_grant_role(user=target, role="overlord", granted_by=staff)

    # then it is refused by name and nothing changed
    assert raised.value.code == "unknown_role"
    assert raised.value.message == "Unknown role “overlord”."
    assert _role_names(target) == {"viewer"}


def test_has_role_permission_is_false_for_anonymous() -> None:
    assert roles.has_role_permission(AnonymousUser(), "upload_video") is False
