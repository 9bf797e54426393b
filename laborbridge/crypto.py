"""Encryption and blind indexing of personal numbers: resident ID numbers and phones (PIPL).

A number is stored as AES-256-GCM ciphertext; uniqueness and exact lookup use a keyed
HMAC-SHA256 "blind index". A plain hash would not do: there are only about 10^11 valid ID
numbers for a given region (and 10^8 mobile numbers behind a prefix), which a laptop
enumerates in hours. The keys come from settings (the environment), never from the database.

Keys and rotation
-----------------
Encryption keys form a keyring, newest first: ``LABORBRIDGE_ID_KEYS="k2:<base64>,k1:<base64>"``.
The first key encrypts, every key decrypts. The older single variable
``LABORBRIDGE_ID_ENCRYPTION_KEY`` keeps working: it is the key ``k0`` (current only when the
keyring is empty). Every ciphertext names the key that made it (see :func:`encrypt`), so
``manage.py rotate_keys`` can re-encrypt what an old key made, after which that key is taken
out of the environment. Ciphertext from before key ids (nonce + ciphertext only) is still
read: each key of the ring is tried, and GCM's tag says which one is right.

The HMAC key (``LABORBRIDGE_ID_HMAC_KEY``) is not rotated: a blind index under a new key would
not match the stored ones until every row is rewritten, which breaks duplicate detection.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_NONCE_BYTES = 12
# Ciphertext with a key id: MAGIC, one byte of key-id length, the key id, nonce, ciphertext.
_MAGIC = b"LBk1"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
# The single-variable key's id, and the variable names as an operator knows them.
LEGACY_KEY_ID = "k0"
KEYRING_VARIABLE = "LABORBRIDGE_ID_KEYS"
SINGLE_KEY_VARIABLE = "LABORBRIDGE_ID_ENCRYPTION_KEY"

PURPOSE_ID_NUMBER = b"laborbridge:resident-id:v1"
PURPOSE_PHONE = b"laborbridge:phone:v1"


@dataclass(frozen=True)
class Keyring:
    """Encryption keys by id; ``current`` encrypts, all of them decrypt."""

    keys: tuple[tuple[str, bytes], ...]

    @property
    def current(self) -> str:
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes | None:
        return next((key for kid, key in self.keys if kid == key_id), None)

    @property
    def ids(self) -> list[str]:
        return [kid for kid, _key in self.keys]


def decode_key(raw: str, variable: str) -> bytes:
    """Return the 32 bytes of a base64 key, or fail naming ``variable``."""
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (ValueError, TypeError):
        raise ImproperlyConfigured(f"{variable} is not valid base64.") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{variable} must decode to 32 bytes, got {len(key)}.")
    return key


def parse_keyring(keys: str, single: str = "") -> Keyring:
    """Return the keyring of ``LABORBRIDGE_ID_KEYS`` (``id:base64,…``, newest first) and
    ``LABORBRIDGE_ID_ENCRYPTION_KEY``; raise ImproperlyConfigured naming the bad variable.

    Settings' start-up checks call this with the two raw environment values.
    """
    ring: list[tuple[str, bytes]] = []
    for number, entry in enumerate(filter(None, (e.strip() for e in keys.split(","))), 1):
        key_id, sep, raw = entry.partition(":")
        key_id = key_id.strip()
        where = f"{KEYRING_VARIABLE} entry {number}"
        if not sep or not _KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(
                f"{where} must look like 'k2:<base64 key>' (id: 1-16 letters, digits, - or _)."
            )
        if any(kid == key_id for kid, _key in ring):
            raise ImproperlyConfigured(f"{KEYRING_VARIABLE} names key id {key_id!r} twice.")
        ring.append((key_id, decode_key(raw, f"{where} ({key_id})")))
    if single.strip():
        key = decode_key(single, SINGLE_KEY_VARIABLE)
        same_id = next((k for kid, k in ring if kid == LEGACY_KEY_ID), None)
        if same_id is not None and same_id != key:
            raise ImproperlyConfigured(
                f"{KEYRING_VARIABLE} uses id {LEGACY_KEY_ID!r} for another key than "
                f"{SINGLE_KEY_VARIABLE}; {LEGACY_KEY_ID!r} is reserved for that variable."
            )
        if all(k != key for _kid, k in ring):
            ring.append((LEGACY_KEY_ID, key))
    if not ring:
        raise ImproperlyConfigured(f"Set {KEYRING_VARIABLE} (or {SINGLE_KEY_VARIABLE}).")
    return Keyring(tuple(ring))


@lru_cache(maxsize=8)
def _cached_keyring(keys: str, single: str) -> Keyring:
    return parse_keyring(keys, single)


def keyring() -> Keyring:
    """Return the keyring of the current settings (read per call: tests override settings)."""
    return _cached_keyring(
        getattr(settings, "ID_KEYS", "") or "", getattr(settings, "ID_ENCRYPTION_KEY", "") or ""
    )


def _key(setting: str) -> bytes:
    """Return a key of settings; ``ID_ENCRYPTION_KEY`` means the keyring's current key."""
    if setting == "ID_ENCRYPTION_KEY":
        ring = keyring()
        return ring.key(ring.current)  # type: ignore[return-value]
    return decode_key(getattr(settings, setting), f"LABORBRIDGE_{setting}")


# Ciphertext ------------------------------------------------------------------------------


def encrypt(plaintext: bytes, *, purpose: bytes) -> bytes:
    """Return ``plaintext`` encrypted with the current key, naming that key.

    ``purpose`` is bound as associated data, so a phone's ciphertext cannot stand in for an
    ID number's.
    """
    ring = keyring()
    key_id = ring.current
    nonce = os.urandom(_NONCE_BYTES)
    header = _MAGIC + bytes([len(key_id)]) + key_id.encode()
    sealed = AESGCM(ring.key(key_id)).encrypt(nonce, plaintext, purpose + b"|" + key_id.encode())
    return header + nonce + sealed


def _split(blob: bytes) -> tuple[str, bytes] | None:
    """Return (key id, nonce + ciphertext) of a keyed blob, or None for an old one."""
    if blob[: len(_MAGIC)] != _MAGIC or len(blob) <= len(_MAGIC):
        return None
    size = blob[len(_MAGIC)]
    start = len(_MAGIC) + 1
    key_id = blob[start : start + size].decode("ascii", "replace")
    if not _KEY_ID.fullmatch(key_id):
        return None
    return key_id, blob[start + size :]


def key_id_of(blob: bytes) -> str | None:
    """Return the id of the key that made ``blob``, or None for ciphertext without a key id."""
    parts = _split(bytes(blob))
    return parts[0] if parts else None


def decrypt(blob: bytes, *, purpose: bytes) -> bytes:
    """Return the plaintext of ``blob``; raise InvalidTag if no key of the ring opens it."""
    blob = bytes(blob)
    ring = keyring()
    parts = _split(blob)
    if parts is not None:
        key_id, rest = parts
        key = ring.key(key_id)
        if key is None:
            raise ImproperlyConfigured(
                f"Data is encrypted with key {key_id!r}, which is not in {KEYRING_VARIABLE} "
                f"(keys: {', '.join(ring.ids)}). Put the key back, or rotate before retiring it."
            )
        try:
            return AESGCM(key).decrypt(
                rest[:_NONCE_BYTES], rest[_NONCE_BYTES:], purpose + b"|" + key_id.encode()
            )
        except InvalidTag:
            pass  # a pre-key-id nonce that happens to start with the magic bytes
    nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    for _kid, key in ring.keys:
        try:
            return AESGCM(key).decrypt(nonce, sealed, purpose)
        except InvalidTag:
            continue
    raise InvalidTag("No key of the keyring decrypts this value.")


def reencrypt(blob: bytes, *, purpose: bytes) -> bytes:
    """Return ``blob`` encrypted with the current key (unchanged if it already is)."""
    if key_id_of(blob) == keyring().current:
        return bytes(blob)
    return encrypt(decrypt(blob, purpose=purpose), purpose=purpose)


# Resident ID numbers and phones ------------------------------------------------------------


def id_number_encrypt(number: str) -> bytes:
    return encrypt(number.encode(), purpose=PURPOSE_ID_NUMBER)


def id_number_decrypt(blob: bytes) -> str:
    return decrypt(blob, purpose=PURPOSE_ID_NUMBER).decode()


def id_number_blind_index(number: str) -> str:
    return hmac.new(_key("ID_HMAC_KEY"), number.encode(), hashlib.sha256).hexdigest()


def phone_encrypt(phone: str) -> bytes:
    return encrypt(phone.encode(), purpose=PURPOSE_PHONE)


def phone_decrypt(blob: bytes) -> str:
    return decrypt(blob, purpose=PURPOSE_PHONE).decode()


def phone_blind_index(phone: str) -> str:
    # Domain-separated from the ID-number index: the same key, a different message space.
    return hmac.new(_key("ID_HMAC_KEY"), b"phone:" + phone.encode(), hashlib.sha256).hexdigest()
