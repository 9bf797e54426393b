"""Fixtures of the worker-registry tests: eager Celery, roster files, import helpers."""

import pytest

from tests.imports.helpers import celery_eager_fixture

celery_eager = pytest.fixture(autouse=True)(celery_eager_fixture)
