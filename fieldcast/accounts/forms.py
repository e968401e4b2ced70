"""Forms for account pages."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

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
