import pytest

from tests.imports.helpers import celery_eager_fixture

celery_eager = pytest.fixture(autouse=True)(celery_eager_fixture)
