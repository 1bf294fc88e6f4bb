"""The forms an emergency manager adds committee meetings, mutual-aid agreements and funding
lines with (the service validates)."""

from __future__ import annotations

from django import forms

from agencies.models import Agency, Discipline
from readiness.models import Exercise, FundingProgram, TrainingSession

DATE = forms.DateInput(attrs={"type": "date"})


class MeetingForm(forms.Form):
    date = forms.DateField(label="Date", widget=DATE)
    place = forms.CharField(label="Place", max_length=200, required=False)
    disciplines_present = forms.MultipleChoiceField(
        label="Disciplines present",
        choices=Discipline.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendees = forms.CharField(label="Attendees", widget=forms.Textarea, required=False)
    decisions = forms.CharField(label="Decisions", widget=forms.Textarea, required=False)
    minutes_url = forms.URLField(label="Minutes (link)", required=False, assume_scheme="https")


class AgreementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies party to it",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Two or more.",
    )
    signed_on = forms.DateField(label="Signed on", widget=DATE)
    expires_on = forms.DateField(
        label="Expires on", widget=DATE, required=False, help_text="Empty: no expiry."
    )
    document_url = forms.URLField(label="Document (link)", required=False, assume_scheme="https")
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def __init__(self, *args, region_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            region_id=region_id, active=True
        ).order_by("name")


class FundingForm(forms.Form):
    program = forms.ChoiceField(label="Program", choices=FundingProgram.choices)
    grant_year = forms.IntegerField(label="Grant year", min_value=1990, max_value=2100)
    reference = forms.CharField(label="Reference", max_length=100, required=False)
    amount = forms.DecimalField(label="Amount ($)", min_value=0, max_digits=12, decimal_places=2)
    sessions = forms.ModelMultipleChoiceField(
        label="Training sessions it pays for",
        queryset=TrainingSession.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exercises = forms.ModelMultipleChoiceField(
        label="Exercises it pays for",
        queryset=Exercise.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, region_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sessions"].queryset = TrainingSession.objects.filter(  # type: ignore[attr-defined]
            region_id=region_id
        ).select_related("course")
        self.fields["exercises"].queryset = Exercise.objects.filter(  # type: ignore[attr-defined]
            region_id=region_id
        )
