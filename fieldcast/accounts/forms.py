"""Forms for account pages."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.utils.translation import gettext_lazy as _

from fieldcast.accounts import services
from fieldcast.accounts.models import User


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        required=False,
        help_text=_("Shown on your videos and comments. You can change it later."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["email", "display_name", "password1", "password2"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "city", "bio", "avatar"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}


def _client_address() -> str | None:
    request = context.request
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


class ChangePasswordForm(AllauthChangePasswordForm):
    """The current password is checked through `authenticate`, so the login limiter counts it;
    a change revokes the API token and the browser go-live keys (docs/security.md)."""

    def clean_oldpassword(self) -> str:
        password = self.cleaned_data.get("oldpassword", "")
        if not get_adapter().reauthenticate(self.user, password):
            raise get_adapter().validation_error("enter_current_password")
        return str(password)

    def save(self) -> None:
        super().save()
        services.password_replaced(user=self.user, reset=False, ip_address=_client_address())


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    """A reset through the emailed link: the old password may be known to someone else."""

    def save(self) -> None:
        super().save()
        services.password_replaced(user=self.user, reset=True, ip_address=_client_address())
