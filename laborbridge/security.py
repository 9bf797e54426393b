"""Security plumbing of the ground floor: start-up checks of secrets, the real client address
behind the reverse proxy, and masking of ID numbers in access logs.

The secret checks run from ``settings.py`` while it is being imported, so nothing here reads
Django settings at import time.
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import logging
import re
import zlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.http import url_has_allowed_host_and_scheme

GENERATE_SECRET_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(64))"'
GENERATE_ID_KEY = 'python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"'
SECRET_KEY_MIN_LENGTH = 50
# A random 50+ character key uses far more than 12 different characters and does not
# compress; a key typed by hand ("abcabc…", "password" × 7) fails one of the two.
SECRET_KEY_MIN_DISTINCT = 12
SECRET_KEY_MIN_COMPRESSED_RATIO = 0.75
ID_KEY_BYTES = 32


def secret_key_problem(value: str, *, development_key: str) -> str | None:
    """Return why ``value`` is not fit to be a production ``SECRET_KEY``, or None."""
    if not value:
        return "is not set"
    if value == development_key or value.startswith("django-insecure"):
        return "is the development key"
    if len(value) < SECRET_KEY_MIN_LENGTH:
        return f"is {len(value)} characters long; use {SECRET_KEY_MIN_LENGTH} or more"
    distinct = len(set(value))
    if distinct < SECRET_KEY_MIN_DISTINCT:
        return (
            f"uses only {distinct} different characters (a random key uses many more); "
            "it has too little entropy"
        )
    if len(zlib.compress(value.encode(), 9)) < SECRET_KEY_MIN_COMPRESSED_RATIO * len(value):
        return "repeats itself (it compresses well), so it has too little entropy"
    return None


def id_key_problem(value: str) -> str | None:
    """Return why ``value`` is not a usable ID-number key (32 bytes, base64), or None."""
    if not value:
        return "is not set"
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return "is not valid base64"
    if len(raw) != ID_KEY_BYTES:
        return f"decodes to {len(raw)} bytes; it must be exactly {ID_KEY_BYTES} random bytes"
    if len(set(raw)) < 8:
        return "is not random (it repeats a few byte values)"
    return None


def secrets_check(
    *,
    production: bool,
    secret_key: str,
    development_secret_key: str,
    encryption_keys: str,
    encryption_key: str,
    hmac_key: str,
    development_id_keys: set[str],
) -> None:
    """Raise ImproperlyConfigured naming every variable whose secret is missing or weak.

    ID-number keys are checked in every environment (a malformed one would otherwise break
    every worker page later, far from its cause): the keyring through
    ``crypto.parse_keyring``, the HMAC key here. The secret key is checked in production,
    where development keys of any kind are refused.
    """
    from laborbridge import crypto

    problems = []
    if production:
        problem = secret_key_problem(secret_key, development_key=development_secret_key)
        if problem:
            problems.append(f"DJANGO_SECRET_KEY {problem}.")
    hmac_problem = id_key_problem(hmac_key)
    if hmac_problem:
        problems.append(f"LABORBRIDGE_ID_HMAC_KEY {hmac_problem}.")
    single_problem = id_key_problem(encryption_key) if encryption_key.strip() else None
    ring: list[bytes] = []
    if single_problem:
        problems.append(f"{crypto.SINGLE_KEY_VARIABLE} {single_problem}.")
    else:
        try:
            ring = [key for _kid, key in crypto.parse_keyring(encryption_keys, encryption_key).keys]
        except ImproperlyConfigured as error:
            problems.append(str(error))
    if production:
        development = {base64.b64decode(key) for key in development_id_keys}
        single = base64.b64decode(encryption_key.strip()) if ring and encryption_key else b""
        if single in development:
            problems.append(f"{crypto.SINGLE_KEY_VARIABLE} is a development key.")
        elif any(key in development for key in ring):
            problems.append(f"{crypto.KEYRING_VARIABLE} holds a development key.")
        if not hmac_problem:
            hmac_bytes = base64.b64decode(hmac_key.strip())
            if hmac_bytes in development:
                problems.append("LABORBRIDGE_ID_HMAC_KEY is a development key.")
            elif hmac_bytes in ring:
                problems.append("LABORBRIDGE_ID_HMAC_KEY must differ from every encryption key.")
    if problems:
        where = "DJANGO_ENV=production" if production else "LaborBridge"
        raise ImproperlyConfigured(
            f"{where} cannot start:\n  "
            + "\n  ".join(problems)
            + f"\n  (a new 32-byte key: {GENERATE_ID_KEY}; a new secret key: {GENERATE_SECRET_KEY})"
        )


def trusted_proxies_parse(name: str, raw: list[str]) -> list[str]:
    """Return the proxy addresses / networks of ``name``, failing loudly on a bad entry."""
    for entry in raw:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not an IP address or network "
                "(examples: 127.0.0.1, 10.0.0.0/8, ::1)."
            ) from None
    return raw


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def client_address(request) -> str:
    """Return the address of the client that sent ``request``.

    ``REMOTE_ADDR`` is the client unless it is one of ``TRUSTED_PROXIES``; then
    ``X-Forwarded-For`` is read from the right, skipping our own proxies, and the first
    address a trusted proxy did not add is the client's. Entries further left were written
    by the client and are never believed, so a forged header cannot pick another budget.
    Login lockouts (django-axes), API throttles and the QR-signup limit all key on this.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    address = remote
    for hop in reversed([hop for hop in hops if hop]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # A trusted proxy only ever appends addresses: garbage came from the client.
            return address
        address = hop
        if not _trusted(hop, networks):
            return hop
    return address


def safe_next(request, candidate: str | None, default: str) -> str:
    """Return ``candidate`` if it is a path or URL on this site, else ``default``.

    ``//evil.example``, ``https://evil.example`` and ``/\\evil.example`` are refused, so a
    crafted link cannot use a form of ours to send someone elsewhere after it is submitted.
    """
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# An 18-character resident ID number (17 digits, then a digit or X) not part of a longer
# number; group 1 keeps the region code, group 2 the last four, as pages show them.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def id_numbers_mask(text: str) -> str:
    """Return ``text`` with every ID number shown as ``621102********1234``."""
    return _ID_NUMBER.sub(r"\1********\2", text)


class IdNumberMaskFilter(logging.Filter):
    """Mask ID numbers in a log record (the request line of an access log).

    The worker search form POSTs its term, so the site itself never puts an ID number in a
    URL. A URL typed or bookmarked by hand (``/workers/?q=6211…``) still reaches the access
    log before any view runs; this filter rewrites that line in the runserver log
    (``django.server``) and in gunicorn's access log (``gunicorn.access``), which is where
    production writes it. The reverse proxy's own log is outside this process: README tells
    how to keep query strings out of it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = id_numbers_mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


ACCESS_LOGGERS = ("django.server", "gunicorn.access")


def access_logs_mask() -> None:
    """Attach the ID-number mask to the access loggers (idempotent; from AppConfig.ready)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, IdNumberMaskFilter) for f in logger.filters):
            logger.addFilter(IdNumberMaskFilter())
