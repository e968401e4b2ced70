"""People: the custom user (email login), the API token each may hold, and the security log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from fieldcast.core.models import AppendOnlyModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """Anyone with an account: viewer, reporter, editor or staff, by the groups they are in."""

    # Email is the login: Django's documented way to drop AbstractUser's field, which the stubs
    # cannot express (they type the field as always present).
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    bio = models.TextField(_("bio"), max_length=1000, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    # Set when the person asked to delete their account: it is deleted at this time unless they
    # cancel (or log in again) before.
    deletion_due_at = models.DateTimeField(_("deletion due"), null=True, blank=True, db_index=True)
    # Set when the account was deleted: the row stays (published clips, the points ledger and
    # audit trails point at it) with every personal field emptied.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # The stubs pin AbstractUser.objects to the username-based manager; ours logs in by email.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("upload_video", _("Can upload videos")),
            ("go_live", _("Can stream live")),
            ("moderate_content", _("Can moderate content")),
            ("operate_studio", _("Can operate the studio switcher")),
            ("promote_reporter", _("Can promote and demote reporters")),
            ("view_dashboards", _("Can view staff dashboards")),
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        if self.erased_at is not None:
            # The byline of clips the newsroom keeps after the account was deleted.
            return str(_("Former reporter"))
        return self.display_name or self.email.split("@", 1)[0]


class ApiToken(models.Model):
    """A user's personal API token; only its SHA-256 is stored, the key is shown once."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="api_token")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class SecurityEventKind(models.TextChoices):
    LOGIN_LOCKED_OUT = "login_locked_out", _("Login locked out")
    LOGIN_SLOWED = "login_slowed", _("Login slowed down")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    STREAM_KEYS_ROTATED = "stream_keys_rotated", _("Stream keys rotated")
    DATA_EXPORTED = "data_exported", _("Data exported")
    DELETION_REQUESTED = "deletion_requested", _("Account deletion requested")
    DELETION_CANCELLED = "deletion_cancelled", _("Account deletion cancelled")
    ACCOUNT_DELETED = "account_deleted", _("Account deleted")


class SecurityEvent(AppendOnlyModel):
    """The accounts' audit trail: lockouts, credential changes, exports, deletions.

    `subject` is a pseudonymous id of the account (see `services.pseudonym`): it stays when
    the account is deleted and the `user` link is cleared, so the trail still reads as one
    person's history without naming them.
    """

    kind = models.CharField(max_length=32, choices=SecurityEventKind.choices, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=32, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.subject})"
