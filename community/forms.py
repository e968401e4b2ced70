"""Form parsing for the assignment page (the rules live in `services.assignment_publish`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import Urgency

_LOCAL = "%Y-%m-%dT%H:%M"


class AssignmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    brief = forms.CharField(label=_("Brief"), max_length=5000, widget=forms.Textarea)
    city = forms.CharField(label=_("City or area"), max_length=80)
    starts_at = forms.DateTimeField(
        label=_("From"),
        input_formats=[_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL),
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        input_formats=[_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    points_bonus = forms.IntegerField(label=_("Points bonus"), min_value=0, initial=0)
