"""Encryption keys carry ids and rotate; audit rows keep who acted after the account is gone."""

import base64
import datetime as dt
import io
import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from laborbridge import crypto
from laborbridge.identifiers import mask_id_number, mask_phone
from laborbridge.imports.services import audit_record_bulk, file_decrypt, file_encrypt
from laborbridge.management.commands.rotate_keys import key_usage
from laborbridge.models import AuditEvent, Role
from laborbridge.services import audit_record
from tests.factories import ANDING, WorkerFactory, make_user
from workers.models import Worker

OLD = base64.b64encode(b"o" * 32).decode()
NEW = base64.b64encode(b"n" * 32).decode()
OTHER = base64.b64encode(b"x" * 32).decode()


# Keyring parsing --------------------------------------------------------------------------


def test_keyring_lists_keys_newest_first_and_keeps_the_single_key_as_k0():
    ring = crypto.parse_keyring(f"k2:{NEW}, k1:{OTHER}", OLD)
    assert ring.ids == ["k2", "k1", "k0"] and ring.current == "k2"
    assert crypto.parse_keyring("", OLD).ids == ["k0"]
    # The single key named in the ring too is not listed twice.
    assert crypto.parse_keyring(f"k2:{NEW},old:{OLD}", OLD).ids == ["k2", "old"]


@pytest.mark.parametrize(
    ("keys", "single", "message"),
    [
        ("", "", "Set LABORBRIDGE_ID_KEYS"),
        (f"{NEW}", "", "entry 1 must look like 'k2:<base64 key>'"),
        ("k2:not-base64!", "", r"entry 1 \(k2\) is not valid base64"),
        (f"k2:{base64.b64encode(b'short').decode()}", "", "must decode to 32 bytes, got 5"),
        (f"k2:{NEW},k2:{OTHER}", "", "names key id 'k2' twice"),
        (f"k0:{NEW}", OLD, "reserved for that variable"),
        ("", "bad", "LABORBRIDGE_ID_ENCRYPTION_KEY is not valid base64"),
    ],
)
def test_a_bad_keyring_fails_naming_the_variable(keys, single, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.parse_keyring(keys, single)


# Ciphertext with key ids --------------------------------------------------------------------


@override_settings(ID_KEYS=f"k2:{NEW}", ID_ENCRYPTION_KEY=OLD)
def test_ciphertext_names_its_key_and_every_key_of_the_ring_decrypts():
    blob = crypto.id_number_encrypt("621102199005170017")
    assert crypto.key_id_of(blob) == "k2"
    with override_settings(ID_KEYS="", ID_ENCRYPTION_KEY=OLD):
        old_blob = crypto.id_number_encrypt("621102199005170017")
    assert crypto.key_id_of(old_blob) == "k0"
    assert crypto.id_number_decrypt(old_blob) == crypto.id_number_decrypt(blob)
    # Without the old key the old value cannot be read, and the error says which key.
    with (
        override_settings(ID_KEYS=f"k2:{NEW}", ID_ENCRYPTION_KEY=""),
        pytest.raises(ImproperlyConfigured, match="'k0', which is not in LABORBRIDGE_ID_KEYS"),
    ):
        crypto.id_number_decrypt(old_blob)


@override_settings(ID_KEYS=f"k2:{NEW}", ID_ENCRYPTION_KEY=OLD)
def test_ciphertext_from_before_key_ids_is_still_read():
    nonce = os.urandom(12)
    legacy = nonce + AESGCM(b"o" * 32).encrypt(nonce, b"13912345678", crypto.PURPOSE_PHONE)
    assert crypto.key_id_of(legacy) is None
    assert crypto.phone_decrypt(legacy) == "13912345678"
    assert crypto.key_id_of(crypto.reencrypt(legacy, purpose=crypto.PURPOSE_PHONE)) == "k2"


def test_a_phone_ciphertext_cannot_pass_for_an_id_number():
    blob = crypto.phone_encrypt("13912345678")
    with pytest.raises(InvalidTag):
        crypto.id_number_decrypt(blob)
    assert crypto.phone_blind_index("13912345678") != crypto.id_number_blind_index("13912345678")


@pytest.mark.django_db
@override_settings(ID_KEYS=f"k2:{NEW}", ID_ENCRYPTION_KEY=OLD)
def test_an_uploaded_file_survives_rotation():
    with override_settings(ID_KEYS="", ID_ENCRYPTION_KEY=OLD):
        blob = file_encrypt(b"roster bytes")
    assert file_decrypt(blob) == b"roster bytes"  # the current key changed, k0 still reads


# Rotation --------------------------------------------------------------------------------

ROTATION_WORKERS = 10_000


def _bulk_workers(count: int) -> None:
    """Insert ``count`` workers with encrypted ID numbers and phones, 1,000 per INSERT."""
    born = dt.date(1990, 1, 1)
    rows = []
    for n in range(count):
        number = f"{ANDING}1990{n:08d}"  # unique; only the ciphertext matters here
        phone = f"139{n:08d}"
        rows.append(
            Worker(
                name=f"轮换{n}",
                id_number_encrypted=crypto.id_number_encrypt(number),
                id_number_index=crypto.id_number_blind_index(number),
                id_number_masked=mask_id_number(number),
                birth_date=born,
                sex="male",
                phone_encrypted=crypto.phone_encrypt(phone),
                phone_index=crypto.phone_blind_index(phone),
                phone_last4=phone[-4:],
                phone_masked=mask_phone(phone),
                home_county_id=ANDING,
            )
        )
    Worker.objects.bulk_create(rows, batch_size=1000)


@pytest.mark.django_db
def test_rotating_10k_workers_moves_every_value_to_the_new_key():
    with override_settings(ID_KEYS="", ID_ENCRYPTION_KEY=OLD):
        _bulk_workers(ROTATION_WORKERS)
        assert key_usage()["workers.Worker.phone_encrypted"] == {"k0": ROTATION_WORKERS}
    with override_settings(ID_KEYS=f"k1:{NEW}", ID_ENCRYPTION_KEY=OLD):
        before = io.StringIO()
        call_command("rotate_keys", "--check", stdout=before)
        assert "Still in use besides k1: k0" in before.getvalue()
        out = io.StringIO()
        call_command("rotate_keys", stdout=out)
        assert f"workers.Worker: {2 * ROTATION_WORKERS} values re-encrypted with k1" in (
            out.getvalue()
        )
        assert "No stored value uses k0: it can be removed" in out.getvalue()
        again = io.StringIO()
        call_command("rotate_keys", stdout=again)  # twice is harmless: nothing left to do
        assert "workers.Worker: 0 values re-encrypted" in again.getvalue()
    # The old key retired: every worker still decrypts, with the new key alone.
    with override_settings(ID_KEYS=f"k1:{NEW}", ID_ENCRYPTION_KEY=""):
        usage = key_usage()
        assert usage["workers.Worker.id_number_encrypted"] == {"k1": ROTATION_WORKERS}
        assert usage["workers.Worker.phone_encrypted"] == {"k1": ROTATION_WORKERS}
        decrypted = 0
        for n, (id_blob, phone_blob) in enumerate(
            Worker.objects.order_by("pk").values_list("id_number_encrypted", "phone_encrypted")
        ):
            assert crypto.id_number_decrypt(id_blob) == f"{ANDING}1990{n:08d}"
            assert crypto.phone_decrypt(phone_blob) == f"139{n:08d}"
            decrypted += 1
        assert decrypted == ROTATION_WORKERS


@pytest.mark.django_db
def test_rotation_keeps_a_worker_usable_by_the_site(client, official_a):
    with override_settings(ID_KEYS="", ID_ENCRYPTION_KEY=OLD):
        worker = WorkerFactory(phone="13712340000")
    with override_settings(ID_KEYS=f"k1:{NEW}", ID_ENCRYPTION_KEY=OLD):
        call_command("rotate_keys", stdout=io.StringIO())
    with override_settings(ID_KEYS=f"k1:{NEW}", ID_ENCRYPTION_KEY=""):
        worker.refresh_from_db()
        assert worker.reveal_phone() == "13712340000" and worker.reveal_id_number()
        client.force_login(official_a)
        shown = client.post(
            reverse("workers:reveal", args=[worker.pk]), {"field": "phone", "reason": "核对"}
        )
        assert "13712340000" in shown.content.decode()


# Audit rows keep their actor -----------------------------------------------------------------


@pytest.mark.django_db
def test_an_audit_row_names_its_actor_after_the_account_is_deleted(client, official_a):
    clerk = make_user("clerk_gone", Role.COUNTY_OFFICIAL, county_id=ANDING, first_name="临时录入员")
    worker = WorkerFactory(name="留痕")
    single = audit_record(actor=clerk, action="worker.update", target=worker, changes={"note": []})
    audit_record_bulk(actor=clerk, action="worker.consent", entries=[(worker, {"consent": {}})])
    assert single.actor_label == "临时录入员"
    clerk.delete()
    events = AuditEvent.objects.filter(target_id=str(worker.pk)).order_by("id")
    assert [(e.actor_id, e.actor_username, e.actor_name) for e in events] == [
        (None, "clerk_gone", "临时录入员"),
        (None, "clerk_gone", "临时录入员"),
    ]
    assert events[0].actor_label == "临时录入员（账号已删除）"
    client.force_login(official_a)
    page = client.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    assert "临时录入员（账号已删除）" in page
    # A signup (no account) still reads as the worker themself.
    anonymous = audit_record(actor=None, action="signup.submit", target=worker)
    assert anonymous.actor_username == "" and anonymous.actor_label == ""
