"""Start-up refuses missing, malformed or weak secrets, naming the variable; production shape."""

import base64

import pytest

from laborbridge.security import id_key_problem, secret_key_problem
from tests.laborbridge.test_settings import PROD_ENV, _run, _setup

GOOD_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.mark.parametrize(
    "value,problem",
    [
        ("", "is not set"),
        ("not base64 at all!", "is not valid base64"),
        (base64.b64encode(b"x" * 16).decode(), "decodes to 16 bytes"),
        (base64.b64encode(bytes(32)).decode(), "is not random"),
    ],
)
def test_id_key_problems(value, problem):
    assert problem in id_key_problem(value)


def test_a_random_id_key_is_fine():
    assert id_key_problem(GOOD_KEY) is None


@pytest.mark.parametrize(
    "value,problem",
    [
        ("", "is not set"),
        ("short-but-random-Zq8", "20 characters long"),
        ("abc" * 20, "different characters"),
        ("abcdefghijklmnopqrstuvwxyz" * 3, "repeats itself"),
        ("django-insecure-" + "x" * 50, "development key"),
    ],
)
def test_weak_secret_keys(value, problem):
    assert problem in secret_key_problem(value, development_key="dev")


def test_a_generated_secret_key_is_fine():
    import secrets

    assert secret_key_problem(secrets.token_urlsafe(64), development_key="dev") is None
    assert secret_key_problem(PROD_ENV["DJANGO_SECRET_KEY"], development_key="dev") is None


@pytest.mark.parametrize(
    "name,value,words",
    [
        ("LABORBRIDGE_ID_ENCRYPTION_KEY", "%%%not-base64%%%", "not valid base64"),
        ("LABORBRIDGE_ID_ENCRYPTION_KEY", base64.b64encode(b"k" * 24).decode(), "24 bytes"),
        ("LABORBRIDGE_ID_HMAC_KEY", "", "is not set"),
        ("LABORBRIDGE_ID_HMAC_KEY", base64.b64encode(b"k" * 31).decode(), "31 bytes"),
        ("LABORBRIDGE_ID_HMAC_KEY", PROD_ENV["LABORBRIDGE_ID_ENCRYPTION_KEY"], "differ"),
        ("DJANGO_SECRET_KEY", "s3cr3t", "characters long"),
        ("DJANGO_SECRET_KEY", "ab" * 30, "different characters"),
    ],
)
def test_production_refuses_bad_secrets_naming_the_variable(name, value, words):
    result = _setup(**dict(PROD_ENV, **{name: value}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr and words in result.stderr


def test_development_refuses_a_malformed_id_key_too():
    result = _setup(LABORBRIDGE_ID_HMAC_KEY="abc")
    assert result.returncode != 0
    assert "LABORBRIDGE_ID_HMAC_KEY" in result.stderr


def test_production_refuses_a_bad_trusted_proxy():
    result = _setup(**dict(PROD_ENV, LABORBRIDGE_TRUSTED_PROXIES="10.0.0.1,proxy.local"))
    assert result.returncode != 0
    assert "LABORBRIDGE_TRUSTED_PROXIES" in result.stderr and "proxy.local" in result.stderr


def test_production_security_shape():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='laborbridge.settings';"
        "from django.conf import settings as s;"
        "print(s.REQUIRE_2FA, s.API_DOCS_PUBLIC, s.AXES_ENABLED,"
        " any('Basic' in c for c in s.REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES']))"
    )
    assert _run(["-c", code], **PROD_ENV).stdout.split() == ["True", "False", "True", "False"]
    assert _run(["-c", code]).stdout.split() == ["False", "True", "True", "False"]


def test_production_with_a_trusted_proxy_passes_the_deployment_checks():
    env = dict(PROD_ENV, LABORBRIDGE_TRUSTED_PROXIES="127.0.0.1,10.0.0.0/8")
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stderr
