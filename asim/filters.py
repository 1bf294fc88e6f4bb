"""django-filter for the API, as strict as the OpenAPI schema says (REST_FRAMEWORK points here).

django-filter reads a boolean filter with Django's NullBooleanField, which takes any text and
treats what it does not know (`?active=null`, `?active=maybe`) as "no filter": a misspelt value
silently lists everything. Here a boolean filter takes true/false (or 1/0) and answers 400
to anything else.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.rest_framework import DjangoFilterBackend


class StrictBooleanField(forms.NullBooleanField):
    # The raw text: NullBooleanSelect would already have turned an unknown value into None.
    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class StrictFilterSet(django_filters.FilterSet):
    """The base of filtersets built from `filterset_fields`."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


class FilterBackend(DjangoFilterBackend):
    filterset_base = StrictFilterSet
