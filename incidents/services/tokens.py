"""CAD API tokens: created here, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Region
from incidents.models import CadToken


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def cad_token_create(*, region: Region, name: str) -> tuple[CadToken, str]:
    """A new active token for `region`; returns it and its key (the only time it is known)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the CAD system this token is for."})
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = CadToken.objects.create(
            region=region, name=name[:80], key_prefix=key[:8], key_hash=hash_key(key)
        )
    return token, key
