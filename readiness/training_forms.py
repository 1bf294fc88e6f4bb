"""The forms an emergency manager adds courses and sessions with (the service validates)."""

from __future__ import annotations

from django import forms

from agencies.models import Agency, Discipline, Member
from readiness.models import Course, CourseKind


class CourseForm(forms.Form):
    name = forms.CharField(label="Name", max_length=160)
    code = forms.CharField(label="Code", max_length=30, help_text="Short, e.g. ASIM-B.")
    kind = forms.ChoiceField(label="Kind", choices=CourseKind.choices)
    disciplines = forms.MultipleChoiceField(
        label="For disciplines",
        choices=Discipline.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: the course is for everyone.",
    )
    hours = forms.DecimalField(label="Hours", min_value=0, max_digits=5, decimal_places=1)
    refresher_months = forms.IntegerField(
        label="Refresher every (months)",
        min_value=1,
        max_value=240,
        required=False,
        help_text="Empty: a completion never expires.",
    )
    required = forms.BooleanField(label="Required of every responder it is for", required=False)


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(label="Course", queryset=Course.objects.none())
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="Place", max_length=200, required=False)
    agencies = forms.ModelMultipleChoiceField(
        label="Attending agencies",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    instructors = forms.ModelMultipleChoiceField(
        label="Instructors",
        queryset=Member.objects.none(),
        required=False,
        help_text="Hold Ctrl (Cmd on a Mac) to pick several.",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, region_ids: set[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["course"].queryset = Course.objects.filter(  # type: ignore[attr-defined]
            region_id__in=region_ids, active=True
        ).order_by("code")
        self.fields["agencies"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            region_id__in=region_ids, active=True
        ).order_by("name")
        self.fields["instructors"].queryset = (  # type: ignore[attr-defined]
            Member.objects.filter(agency__region_id__in=region_ids, active=True)
            .select_related("agency")
            .order_by("full_name")
        )
        self.fields["instructors"].label_from_instance = (  # type: ignore[attr-defined]
            lambda m: f"{m.full_name} ({m.agency.name})"
        )
