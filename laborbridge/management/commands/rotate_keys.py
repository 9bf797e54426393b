"""Re-encrypt every stored secret with the keyring's current key, so old keys can be retired.

Usage, after putting a new key first in ``LABORBRIDGE_ID_KEYS`` (and keeping the old ones)::

    manage.py rotate_keys            # re-encrypt, in batches, whatever an older key made
    manage.py rotate_keys --check    # only count values per key id; say which keys are unused

Models declare what they encrypt in an ``encrypted_fields`` class attribute
(``{field name: associated data}``), so this command names no domain model. Each batch is
read ``FOR UPDATE`` and rewritten in one transaction: a worker edited meanwhile waits for
its batch, and a value is never overwritten with an older plaintext. Running it twice is
harmless: values already under the current key are skipped without decrypting.
"""

from __future__ import annotations

from collections import Counter

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from laborbridge import crypto
from laborbridge.imports.writing import update_values

# Rows per SELECT … FOR UPDATE + batched UPDATE (imports.writing.update_values; bulk_update's
# CASE took 3x longer). 1,000 workers, two values each: ~0.4 s on PostgreSQL on the shared
# 2-core dev box (10,000 in 3.8 s); a batch's rows stay locked that long.
BATCH_SIZE = 1000


def encrypted_models() -> list:
    """Return the installed models that declare ``encrypted_fields``."""
    return [m for m in apps.get_models() if getattr(m, "encrypted_fields", None)]


def key_usage(batch_size: int = BATCH_SIZE) -> dict[str, Counter]:
    """Return, per ``app.Model.field``, how many stored values each key id made.

    Values from before key ids count under ``"(none)"``.
    """
    usage: dict[str, Counter] = {}
    for model in encrypted_models():
        fields = list(model.encrypted_fields)
        for field in fields:
            usage[f"{model._meta.label}.{field}"] = Counter()
        last = None
        while True:
            rows = model._base_manager.order_by("pk").values_list("pk", *fields)
            if last is not None:
                rows = rows.filter(pk__gt=last)
            batch = list(rows[:batch_size])
            if not batch:
                break
            for _pk, *blobs in batch:
                for field, blob in zip(fields, blobs, strict=True):
                    if blob is not None and len(blob):
                        key_id = crypto.key_id_of(blob) or "(none)"
                        usage[f"{model._meta.label}.{field}"][key_id] += 1
            last = batch[-1][0]
    return usage


def rotate(*, batch_size: int = BATCH_SIZE, progress=None) -> dict[str, int]:
    """Re-encrypt every value not made by the current key; return rewritten values per model."""
    current = crypto.keyring().current
    rewritten: dict[str, int] = {}
    for model in encrypted_models():
        fields = model.encrypted_fields
        count = 0
        last = None
        while True:
            with transaction.atomic():
                rows = model._base_manager.order_by("pk").only("pk", *fields)
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                batch = list(rows.select_for_update()[:batch_size])
                if not batch:
                    break
                changed = []
                for obj in batch:
                    dirty = False
                    for field, purpose in fields.items():
                        blob = getattr(obj, field)
                        if blob is None or not len(blob) or crypto.key_id_of(blob) == current:
                            continue
                        setattr(obj, field, crypto.reencrypt(blob, purpose=purpose))
                        count += 1
                        dirty = True
                    if dirty:
                        changed.append(obj)
                if changed:
                    update_values(
                        model,
                        list(fields),
                        ([obj.pk, *(getattr(obj, f) for f in fields)] for obj in changed),
                        batch_size=batch_size,
                    )
                last = batch[-1].pk
            if progress is not None:
                progress(model._meta.label, last, count)
        rewritten[model._meta.label] = count
    return rewritten


class Command(BaseCommand):
    help = "Re-encrypt ID numbers, phones and import files with the current key (or --check)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only count stored values per key id and list keys that can be retired.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, check: bool, batch_size: int, **options):
        if not 1 <= batch_size <= 10_000:
            raise CommandError("--batch-size must be between 1 and 10000.")
        ring = crypto.keyring()
        self.stdout.write(f"Keyring: {', '.join(ring.ids)} (current: {ring.current})")
        if not check:
            for label, count in rotate(batch_size=batch_size).items():
                self.stdout.write(f"{label}: {count} values re-encrypted with {ring.current}")
        usage = key_usage(batch_size)
        used: set[str] = set()
        for name, counter in usage.items():
            shown = ", ".join(f"{k}: {n}" for k, n in sorted(counter.items())) or "empty"
            self.stdout.write(f"{name}: {shown}")
            used |= set(counter)
        retirable = [k for k in ring.ids if k not in used and k != ring.current]
        old = sorted(used - {ring.current})
        if old:
            self.stdout.write(
                self.style.WARNING(f"Still in use besides {ring.current}: {', '.join(old)}")
            )
        if retirable:
            self.stdout.write(
                self.style.SUCCESS(
                    f"No stored value uses {', '.join(retirable)}: it can be removed from "
                    f"{crypto.KEYRING_VARIABLE} / {crypto.SINGLE_KEY_VARIABLE}."
                )
            )
