"""Settings fail loudly on bad values and production refuses development secrets."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 20 + "a-real-random-secret-of-sixty-characters-xyz",
    "DJANGO_ALLOWED_HOSTS": "laborbridge.example.cn",
    "LABORBRIDGE_ID_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1pZC1rZXktMzItYnl0ZXMtbG9uZyE=",
    # 32 bytes: start-up refuses a key of any other length.
    "LABORBRIDGE_ID_HMAC_KEY": "cHJvZHVjdGlvbi1obWFjLWtleS0zMmJ5dGVzLWxvbmc=",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "LABORBRIDGE_"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def _setup(**env: str) -> subprocess.CompletedProcess:
    return _run(
        [
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','laborbridge.settings'); django.setup()",
        ],
        **env,
    )


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "mysql://root@localhost/db",
        "postgres://user@host:notaport/db",
        "postgres://host:5432/",
    ],
)
def test_malformed_database_url_stops_with_the_variable_named(url):
    result = _setup(DATABASE_URL=url)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_postgres_url_is_parsed():
    result = _run(
        [
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='laborbridge.settings'; from django.conf import settings; d=settings.DATABASES['default']; print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'])",
        ],
        DATABASE_URL="postgres://lb:pw@db.internal:5433/laborbridge",
    )
    assert result.stdout.split() == [
        "laborbridge.postgresql",
        "db.internal",
        "5433",
        "laborbridge",
    ]


@pytest.mark.parametrize("name,value", [("DJANGO_DEBUG", "maybe"), ("REDIS_URL", "localhost:6379")])
def test_other_malformed_values_stop(name, value):
    result = _setup(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_development_defaults_need_nothing():
    result = _run(
        [
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='laborbridge.settings'; from django.conf import settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)",
        ]
    )
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "True"]


def test_redis_url_switches_celery_to_redis():
    result = _run(
        [
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='laborbridge.settings'; from django.conf import settings as s; print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)",
        ],
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.stdout.split() == ["redis://127.0.0.1:6379/3", "False"]


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PROD_ENV)
    del env["DJANGO_SECRET_KEY"]
    result = _setup(**env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_the_development_id_keys():
    env = dict(
        PROD_ENV, LABORBRIDGE_ID_ENCRYPTION_KEY="ZGV2LW9ubHktaWQtZW5jcnlwdGlvbi1rZXktMzJieXQ="
    )
    result = _setup(**env)
    assert result.returncode != 0
    assert "LABORBRIDGE_ID_ENCRYPTION_KEY" in result.stderr


def test_production_passes_the_deployment_checks():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PROD_ENV)
    assert result.returncode == 0, result.stderr


# --- .env.example documents every variable settings.py reads --------------------------------


def _environment_reads(tree: ast.Module) -> tuple[set[str], list[int]]:
    """Return the variable names settings.py reads (the first argument of an ``env_*``
    helper, ``os.environ.get``, ``os.getenv`` or ``os.environ[...]``) and the lines of any
    read whose name is not a literal outside the ``env_*`` helpers themselves."""
    names: set[str] = set()
    unnamed: list[int] = []

    def is_environ(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "environ"

    def visit(node: ast.AST, in_helper: bool) -> None:
        if isinstance(node, ast.FunctionDef):
            in_helper = in_helper or node.name.startswith("env_")
        name_node = None
        if isinstance(node, ast.Call):
            func = node.func
            helper = isinstance(func, ast.Name) and func.id.startswith("env_")
            getter = isinstance(func, ast.Attribute) and (
                (func.attr == "get" and is_environ(func.value)) or func.attr == "getenv"
            )
            if (helper or getter) and node.args:
                name_node = node.args[0]
        elif isinstance(node, ast.Subscript) and is_environ(node.value):
            name_node = node.slice
        if name_node is not None:
            if isinstance(name_node, ast.Constant) and isinstance(name_node.value, str):
                names.add(name_node.value)
            elif not in_helper:
                unnamed.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child, in_helper)

    visit(tree, False)
    return names, unnamed


def test_env_example_lists_every_variable_settings_reads_with_a_comment():
    source = (ROOT / "laborbridge" / "settings.py").read_text(encoding="utf-8")
    read, unnamed = _environment_reads(ast.parse(source))
    assert not unnamed, f"settings.py reads the environment by a computed name at {unnamed}"
    # The parser sees the variables it must: a multi-line call, one inside a helper's body.
    assert {"DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "DATABASE_CONN_HEALTH_CHECKS"} <= read

    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    listed = {}
    for number, line in enumerate(lines):
        found = re.match(r"([A-Z][A-Z0-9_]*)=", line)
        if found:
            listed[found.group(1)] = number
    assert sorted(read - set(listed)) == []
    assert sorted(set(listed) - read) == []  # nothing stale: each one is read
    for name, number in listed.items():
        # A comment explains it: on the line above, or above a group it belongs to.
        above = lines[:number]
        while above and re.match(r"[A-Z][A-Z0-9_]*=", above[-1]):
            above.pop()
        assert above and above[-1].startswith("#"), f"{name} has no comment above it"
