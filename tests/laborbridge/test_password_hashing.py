"""The suite hashes with MD5 for speed (tests/conftest.py); production must not.

The settings module leaves ``PASSWORD_HASHERS`` to Django's default, whose first entry (the
one new passwords are hashed with) is PBKDF2-SHA256 with Django's current iteration count.
"""

import importlib

from django.conf import global_settings
from django.conf import settings as active_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher, make_password

STRONG = {
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
}


def test_production_hashes_new_passwords_with_a_strong_slow_hasher(settings):
    project = importlib.import_module("laborbridge.settings")
    hashers = getattr(project, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0] in STRONG, hashers[0]
    assert not any("MD5" in hasher or "Unsalted" in hasher for hasher in hashers), hashers

    settings.PASSWORD_HASHERS = hashers
    hashed = make_password("correct-horse-battery")
    assert identify_hasher(hashed).algorithm in {"pbkdf2_sha256", "argon2", "scrypt"}
    if hashed.startswith("pbkdf2_sha256$"):
        assert int(hashed.split("$")[1]) >= PBKDF2PasswordHasher.iterations >= 600_000


def test_the_suite_itself_uses_the_fast_hasher():
    assert active_settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
