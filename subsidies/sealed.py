"""Numbers the bank needs, kept encrypted beside their mask: a payee's card or account number
on a payment line, an intermediary's ID number or credit code."""

from __future__ import annotations

from django.db import models

from laborbridge import crypto
from laborbridge.models import User
from laborbridge.services import audit_record


def sealed_save(
    row: models.Model, field: str, *, sealed: bytes, masked: str, actor: User, action: str
) -> None:
    """Store ``sealed`` in ``<field>_encrypted`` and ``masked`` in ``<field>_masked`` of
    ``row`` and audit ``action`` with the mask before and after (masks only: the audit log
    never holds a full number)."""
    before = getattr(row, f"{field}_masked")
    setattr(row, f"{field}_encrypted", sealed)
    setattr(row, f"{field}_masked", masked)
    row.save(update_fields=[f"{field}_encrypted", f"{field}_masked", "updated_at"])
    audit_record(actor=actor, action=action, target=row, changes={field: [before, masked]})


def sealed_read(row: models.Model, field: str, *, purpose: bytes) -> str:
    """Return the number sealed in ``<field>_encrypted`` of ``row`` ("" when none); callers
    audit the reveal."""
    blob = getattr(row, f"{field}_encrypted")
    if blob is None:
        return ""
    return crypto.decrypt(bytes(blob), purpose=purpose).decode()
