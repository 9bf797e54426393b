"""House rules that CI enforces through the test suite."""

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(
            f"makemigrations --check found changes without migrations:\n{out.getvalue()} ({exit_})"
        )


@pytest.mark.parametrize("package", ["matching/engine", "transport/planner"])
def test_pure_cores_import_nothing_from_django(package):
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {
                    "django",
                    "rest_framework",
                    "celery",
                    "laborbridge",
                    "workers",
                    "jobs",
                }, f"{path.relative_to(ROOT)} imports {name}"
