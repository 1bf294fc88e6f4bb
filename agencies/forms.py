"""Forms of the roster, distribution-list and hospital pages.

Forms only shape and type the input; every rule that decides whether a change is allowed
(E.164 phones, unique external ids, list names, capacity values) lives in agencies.services,
whose ValidationErrors the views copy onto these forms with `add_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from agencies import roster_csv
from agencies.models import Agency, Channel, Discipline, EdStatus, Member, RosterRole

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_LABEL = "2 MB"


def add_service_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on `form`: field errors on the matching field (renamed
    through `field_map`), anything else as a form-wide error."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            target: str | None = field_map.get(name, name)
            if target not in form.fields:
                target = None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class MemberForm(forms.Form):
    """A roster member's details (active/inactive has its own buttons)."""

    full_name = forms.CharField(label="Full name", max_length=160)
    title = forms.CharField(
        label="Title", max_length=120, required=False, help_text="e.g. Sergeant, Charge nurse."
    )
    external_id = forms.CharField(
        label="Badge / employee number",
        max_length=60,
        required=False,
        help_text="Optional. Roster imports use it to recognise the same person.",
    )
    roles = forms.MultipleChoiceField(
        label="Duties",
        choices=RosterRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Notification rules and distribution lists pick people by these duties.",
    )
    on_call = forms.BooleanField(label="On call now", required=False)

    def __init__(self, *args: Any, active: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_active = active

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("on_call") and not self.member_active:
            self.add_error("on_call", "An inactive member cannot be on call; reactivate first.")
        return cleaned


class NewMemberForm(MemberForm):
    """A new member, with their first ways to reach them (more on the member's page)."""

    sms = forms.CharField(
        label="Mobile phone (SMS)",
        max_length=40,
        required=False,
        help_text="Any usual format, e.g. (937) 555-0142; stored as +19375550142.",
    )
    email = forms.CharField(label="Email", max_length=254, required=False)


class ContactPointForm(forms.Form):
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices)
    address = forms.CharField(
        label="Phone number or email address",
        max_length=254,
        help_text="Phones for SMS and voice calls are stored in international form (+1…).",
    )
    priority = forms.IntegerField(
        label="Priority",
        min_value=1,
        max_value=9,
        initial=1,
        help_text="1 is tried first.",
    )
    verified = forms.BooleanField(
        label="Verified (the person confirmed this contact works)", required=False
    )


class RosterImportForm(forms.Form):
    """An uploaded roster file; `cleaned_data["file"]` is its decoded text."""

    file = forms.FileField(
        label="Roster file (CSV)",
        help_text=f"UTF-8 CSV, at most {MAX_UPLOAD_LABEL}.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            size_mb = upload.size / (1024 * 1024)
            raise ValidationError(
                f"The file is {size_mb:.1f} MB; the limit is {MAX_UPLOAD_LABEL}. "
                "Split the roster into smaller files."
            )
        return roster_csv.decode(upload.read())


class DistributionListForm(forms.Form):
    """A list's name and audience; the pickers offer only the list's region."""

    name = forms.CharField(label="Name", max_length=120)
    description = forms.CharField(
        label="Description",
        max_length=240,
        required=False,
        help_text="Who this reaches and when to use it.",
    )
    disciplines = forms.MultipleChoiceField(
        label="Whole disciplines",
        choices=Discipline.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Everyone active in every agency of these disciplines in the region.",
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Whole agencies",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    members = forms.ModelMultipleChoiceField(
        label="People",
        queryset=Member.objects.none(),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Agency],
        members: QuerySet[Member],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies
        self.fields["members"].queryset = members

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not (cleaned.get("disciplines") or cleaned.get("agencies") or cleaned.get("members")):
            raise ValidationError("Pick at least one person, agency or discipline.")
        return cleaned


class EdStatusForm(forms.Form):
    ed_status = forms.ChoiceField(label="ED status", choices=EdStatus.choices)


class CapacityForm(forms.Form):
    """Patients the ER can take now, by triage colour; empty means "not known"."""

    immediate = forms.IntegerField(label="Immediate (red)", min_value=0, required=False)
    delayed = forms.IntegerField(label="Delayed (yellow)", min_value=0, required=False)
    minor = forms.IntegerField(label="Minor (green)", min_value=0, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and all(cleaned.get(k) is None for k in self.fields):
            raise ValidationError("Enter at least one number (0 is fine).")
        return cleaned
