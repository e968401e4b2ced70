"""Form parsing for the assignment page (the rules live in `services.assignment_publish`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import Story, Urgency

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
    story_id = forms.TypedChoiceField(
        label=_("Story it feeds (optional)"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recent = Story.objects.order_by("-updated_at", "-id").values_list("pk", "title")[:50]
        story = self.fields["story_id"]
        if isinstance(story, forms.TypedChoiceField):  # always: `fields` is typed as plain Field
            story.choices = [("", "—"), *recent]
