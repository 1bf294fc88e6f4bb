"""The forms an EM adds a plan document with and an EM or agency admin records an agency's
alignment with (the service validates)."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from agencies.models import Agency
from readiness.models import AgencyAlignment, PlanDocument

DATE = forms.DateInput(attrs={"type": "date"})


class PlanDocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=PlanDocument.Kind.choices)
    title = forms.CharField(label="Title", max_length=200)
    version = forms.CharField(label="Version", max_length=40, required=False)
    document_date = forms.DateField(label="Document date", required=False, widget=DATE)
    review_due = forms.DateField(label="Review due", required=False, widget=DATE)
    file = forms.FileField(label="File", required=False, help_text="A file or a link.")
    url = forms.URLField(label="Link", required=False, assume_scheme="https")


class AlignmentForm(forms.Form):
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.none())
    status = forms.ChoiceField(
        label="Status",
        choices=[c for c in AgencyAlignment.Status.choices if c[0] != "review_needed"],
    )
    evidence_document = forms.ModelChoiceField(
        label="Evidence: plan document", queryset=PlanDocument.objects.none(), required=False
    )
    evidence_file = forms.FileField(label="Evidence: file", required=False)
    evidence_text = forms.CharField(
        label="Evidence: note", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_date = forms.DateField(label="Date", required=False, widget=DATE)
    signed_by_name = forms.CharField(label="Signed by (name)", max_length=120, required=False)
    signed_by_title = forms.CharField(label="Signed by (title)", max_length=120, required=False)

    def __init__(self, *args: object, agency_ids: Iterable[int], region_id: int, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            pk__in=list(agency_ids), active=True
        ).order_by("name")
        self.fields["evidence_document"].queryset = PlanDocument.objects.filter(  # type: ignore[attr-defined]
            region_id=region_id, active=True
        ).order_by("title")
