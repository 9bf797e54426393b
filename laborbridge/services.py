"""Writes of the shared core: the audit log."""

from decimal import Decimal
from typing import Any

from django.db import models

from laborbridge.models import AuditEvent, User
from laborbridge.models.audit import actor_snapshot


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``target``; call inside the write's transaction."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        **actor_snapshot(actor),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        changes=changes or {},
        reason=reason,
    )


def model_changes(instance: models.Model, fields: list[str], values: dict[str, Any]) -> dict:
    """Return ``{field: [old, new]}`` for the fields whose value would change."""
    changes = {}
    for field in fields:
        old, new = getattr(instance, field), values[field]
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal):  # money: exact, as text (JSON has no decimal type)
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
