"""Admin: rules and templates are editable through notifications.services (validated, and on
the audit record like every other change); notifications, deliveries and escalations are the
record of what was sent and stay read-only (workers and webhooks change them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from notifications import services
from notifications.models import (
    Delivery,
    HospitalEscalation,
    MessageTemplate,
    Notification,
    NotificationRule,
)
from notifications.services.configuration import RULE_FIELDS


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RuleAdminForm(forms.ModelForm):
    """Shows what notifications.services refuses as form errors, before anything is saved."""

    class Meta:
        model = NotificationRule
        fields = ["region", *RULE_FIELDS, "distribution_lists"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        region = cleaned.get("region") or getattr(self.instance, "region", None)
        if region is None or self.errors:
            return cleaned
        errors = services.rule_errors(
            region=region,
            values={name: cleaned[name] for name in RULE_FIELDS if name in cleaned},
            rule=self.instance if self.instance.pk else None,
            distribution_lists=list(cleaned.get("distribution_lists") or []),
        )
        add_errors(self, errors)
        return cleaned


class TemplateAdminForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["region", "name", "body"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        region = cleaned.get("region") or getattr(self.instance, "region", None)
        if region is None or self.errors:
            return cleaned
        errors = services.message_template_errors(
            region=region,
            name=cleaned.get("name", ""),
            body=cleaned.get("body", ""),
            template=self.instance if self.instance.pk else None,
        )
        add_errors(self, errors)
        return cleaned


def add_errors(form: forms.ModelForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)


class ServiceAdmin(admin.ModelAdmin):
    """Saves and deletes go through notifications.services (the same validation and audit
    entries as the API and the pages). The region of a saved row is fixed."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["region"] if obj is not None else []

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        """The service has saved the many-to-many fields with the row."""

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The admin's bulk delete, one service call (and audit entry) per row."""
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(NotificationRule)
class NotificationRuleAdmin(ServiceAdmin):
    form = RuleAdminForm
    list_display = ["name", "region", "trigger", "active", "life_safety", "updated_at"]
    list_filter = ["region", "trigger", "active"]
    search_fields = ["name"]
    filter_horizontal = ["distribution_lists"]

    def save_model(
        self, request: HttpRequest, obj: NotificationRule, form: forms.ModelForm, change: bool
    ) -> None:
        # `obj` already holds the form's values: the service starts from the stored row.
        stored = NotificationRule.objects.get(pk=obj.pk) if change else None
        saved = services.rule_save(
            actor=request.user,
            region=stored.region if stored else form.cleaned_data["region"],
            values={name: form.cleaned_data[name] for name in RULE_FIELDS},
            rule=stored,
            distribution_lists=list(form.cleaned_data["distribution_lists"]),
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: NotificationRule) -> None:
        services.rule_delete(actor=request.user, rule=obj)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ServiceAdmin):
    form = TemplateAdminForm
    list_display = ["name", "region", "updated_at"]
    list_filter = ["region"]
    search_fields = ["name", "body"]

    def save_model(
        self, request: HttpRequest, obj: MessageTemplate, form: forms.ModelForm, change: bool
    ) -> None:
        stored = MessageTemplate.objects.get(pk=obj.pk) if change else None
        saved = services.message_template_save(
            actor=request.user,
            region=stored.region if stored else form.cleaned_data["region"],
            name=form.cleaned_data["name"],
            body=form.cleaned_data["body"],
            template=stored,
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: MessageTemplate) -> None:
        services.message_template_delete(actor=request.user, template=obj)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0
    fields = ["member", "channel", "address", "status", "attempts", "acknowledged_at"]
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "incident", "region", "state", "recipient_count", "created_at"]
    list_filter = ["state", "kind", "life_safety", "exercise"]
    search_fields = ["incident__number", "subject"]
    raw_id_fields = ["incident", "event", "rule", "situation_update"]
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "notification",
        "member",
        "channel",
        "address",
        "status",
        "attempts",
        "sent_at",
        "acknowledged_at",
    ]
    list_filter = ["status", "channel", "escalation"]
    search_fields = ["address", "provider_id", "member__full_name"]
    raw_id_fields = ["notification", "member", "contact_point", "user"]
    list_select_related = ["member"]


@admin.register(HospitalEscalation)
class HospitalEscalationAdmin(ReadOnlyAdmin):
    list_display = ["incident", "hospital", "level", "recipients", "at"]
    list_filter = ["level"]
    raw_id_fields = ["incident", "hospital", "notification"]
