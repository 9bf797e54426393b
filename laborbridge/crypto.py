"""Encryption and blind indexing of resident ID numbers (PIPL sensitive personal data).

The number is stored as AES-256-GCM ciphertext; uniqueness and exact lookup use a keyed
HMAC-SHA256 "blind index". A plain hash would not do: there are only about 10^11 valid ID
numbers for a given region, which a laptop enumerates in hours. Both keys come from settings
(the environment), never from the database.
"""

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_NONCE_BYTES = 12
_ASSOCIATED_DATA = b"laborbridge:resident-id:v1"


def _key(setting: str) -> bytes:
    raw = getattr(settings, setting)
    try:
        key = base64.b64decode(raw, validate=True)
    except (ValueError, TypeError):
        raise ImproperlyConfigured(f"{setting} is not valid base64.") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{setting} must decode to 32 bytes, got {len(key)}.")
    return key


def id_number_encrypt(number: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(_key("ID_ENCRYPTION_KEY")).encrypt(
        nonce, number.encode(), _ASSOCIATED_DATA
    )


def id_number_decrypt(blob: bytes) -> str:
    blob = bytes(blob)
    nonce, ciphertext = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    return AESGCM(_key("ID_ENCRYPTION_KEY")).decrypt(nonce, ciphertext, _ASSOCIATED_DATA).decode()


def id_number_blind_index(number: str) -> str:
    return hmac.new(_key("ID_HMAC_KEY"), number.encode(), hashlib.sha256).hexdigest()
