"""Phones are encrypted at rest like ID numbers: ciphertext, blind index, last four, mask.

The data step encrypts every stored phone (workers and pending self-signups) and the plaintext
column is then dropped. Going back decrypts into a re-created plaintext column, so the
migration is reversible as long as the encryption keys are at hand.
"""

from django.db import migrations, models

# Rows encrypted per UPDATE batch; AES-GCM + HMAC cost ~20 µs a phone, the UPDATEs dominate.
BATCH = 1000


def _models(apps):
    return apps.get_model("workers", "Worker"), apps.get_model("workers", "SelfSignup")


def encrypt_phones(apps, schema_editor):
    from laborbridge import crypto
    from laborbridge.identifiers import mask_phone

    for model in _models(apps):
        rows = model.objects.order_by("pk").only("pk", "phone")
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last)[:BATCH])
            if not batch:
                break
            for row in batch:
                phone = row.phone or ""
                row.phone_encrypted = crypto.phone_encrypt(phone)
                row.phone_index = crypto.phone_blind_index(phone)
                row.phone_last4 = phone[-4:]
                row.phone_masked = mask_phone(phone)
            model.objects.bulk_update(
                batch, ["phone_encrypted", "phone_index", "phone_last4", "phone_masked"]
            )
            last = batch[-1].pk


def decrypt_phones(apps, schema_editor):
    from laborbridge import crypto

    for model in _models(apps):
        rows = model.objects.order_by("pk").only("pk", "phone_encrypted")
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last)[:BATCH])
            if not batch:
                break
            for row in batch:
                row.phone = crypto.phone_decrypt(row.phone_encrypted)
            model.objects.bulk_update(batch, ["phone"])
            last = batch[-1].pk


def _encrypted_fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="phone_encrypted",
            field=models.BinaryField(default=b"", editable=False, verbose_name="手机号（密文）"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model_name,
            name="phone_index",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="手机号索引"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model_name,
            name="phone_last4",
            field=models.CharField(
                default="", editable=False, max_length=4, verbose_name="手机号后四位"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model_name,
            name="phone_masked",
            field=models.CharField(
                default="", editable=False, max_length=11, verbose_name="手机号"
            ),
            preserve_default=False,
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("workers", "0004_worker_unclassified_occupations"),
    ]

    operations = [
        *_encrypted_fields("worker"),
        *_encrypted_fields("selfsignup"),
        migrations.RunPython(encrypt_phones, decrypt_phones),
        migrations.RemoveIndex(model_name="worker", name="workers_wor_phone_d58763_idx"),
        # Backwards the column comes back empty (default ""), then decrypt_phones fills it.
        migrations.AlterField(
            model_name="worker",
            name="phone",
            field=models.CharField(default="", max_length=11, verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="selfsignup",
            name="phone",
            field=models.CharField(default="", max_length=11, verbose_name="手机号"),
        ),
        migrations.RemoveField(model_name="worker", name="phone"),
        migrations.RemoveField(model_name="selfsignup", name="phone"),
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(fields=["phone_index"], name="workers_wor_phone_i_54b4a4_idx"),
        ),
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(
                fields=["home_county", "phone_last4"], name="workers_wor_home_co_a22d6d_idx"
            ),
        ),
    ]
