"""Suite-wide fixtures: reference data, the named users of permission tests, service gates.

Tests marked ``postgres`` or ``redis`` need that service; outside CI they are skipped with
the reason when it is missing, and the summary says so. In CI (``CI=true``) a missing
service is an error, never a skip.
"""

import os

import hypothesis
import pytest
from django.conf import settings
from django.db import connection

from laborbridge.models import Pairing, Region, Role
from tests.celery_support import celery_worker_process  # noqa: F401 (shared fixture)
from tests.factories import (
    ANDING,
    CHENGYANG,
    FENGXIANG,
    JIAOZHOU,
    NEIGUANYING,
    TONGWEI,
    EmployerFactory,
    make_user,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Property tests check outcomes, not speed: Hypothesis' default 200 ms deadline per example
# failed a date property once on the 2-core machine while other work ran (speed is measured
# by the benchmarks under bench/). Test files that set their own settings still may.
hypothesis.settings.register_profile("laborbridge", deadline=None)
hypothesis.settings.load_profile("laborbridge")
_skipped_for_service: dict[str, int] = {}


def pytest_collection_modifyitems(config, items):
    using_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(settings.REDIS_URL)
    for item in items:
        for marker, available, name in (
            ("postgres", using_postgres, "PostgreSQL"),
            ("redis", has_redis, "Redis"),
        ):
            if item.get_closest_marker(marker) and not available:
                if IN_CI:
                    raise pytest.UsageError(
                        f"CI must run {item.nodeid} but {name} is not configured."
                    )
                _skipped_for_service[name] = _skipped_for_service.get(name, 0) + 1
                item.add_marker(pytest.mark.skip(reason=f"needs {name}, which is not reachable"))


def pytest_terminal_summary(terminalreporter):
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "Redis" if settings.REDIS_URL else "none (Celery eager)"
    terminalreporter.write_line(f"LaborBridge test services: database={database}, broker={broker}")
    for name, count in _skipped_for_service.items():
        terminalreporter.write_line(
            f"  skipped {count} test(s) that need {name} (not reachable here)"
        )


def _ensure_reference() -> None:
    from laborbridge.reference import reference_load

    if Region.objects.filter(pk=ANDING).exists():
        return
    if _REFERENCE_SNAPSHOT:
        _reference_restore()
    else:
        reference_load()


# The reference tables as loaded into the fresh test database: {table: PostgreSQL COPY text}.
# Every transactional test (Celery workers, browsers, concurrency) ends with a flush that
# empties them; copying them back costs ~0.1 s where reference_load() costs ~5–25 s (it upserts
# ~3,000 regions and the rest row by row), which was a quarter of the suite's time.
_REFERENCE_SNAPSHOT: dict[str, bytes] = {}


def _reference_tables() -> list[tuple[str, type]]:
    """Return (table, model) of every model of laborbridge.models.reference and its
    many-to-many tables, in definition order (the foreign keys are checked at commit)."""
    from django.apps import apps

    tables: list[tuple[str, type]] = []
    for model in apps.get_app_config("laborbridge").get_models():
        if model.__module__ != "laborbridge.models.reference":
            continue
        tables.append((model._meta.db_table, model))
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                tables.append((through._meta.db_table, through))
    return tables


def _reference_snapshot() -> None:
    """Copy the freshly loaded reference tables into memory (PostgreSQL only)."""
    import io

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table, _model in _reference_tables():
            buffer = io.BytesIO()
            cursor.cursor.copy_expert(f'COPY "{table}" TO STDOUT', buffer)
            _REFERENCE_SNAPSHOT[table] = buffer.getvalue()


def _reference_restore() -> None:
    """Copy the reference tables back after a flush and move their id sequences past them."""
    import io

    from django.core.management.color import no_style
    from django.db import transaction

    tables = _reference_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, _model in tables:
            cursor.cursor.copy_expert(
                f'COPY "{table}" FROM STDIN', io.BytesIO(_REFERENCE_SNAPSHOT[table])
            )
        for sql in connection.ops.sequence_reset_sql(no_style(), [m for _t, m in tables]):
            cursor.execute(sql)


# Every user the suite creates or signs in with pays the password hasher; production's PBKDF2
# (Django's default, ~1M iterations) costs ~0.3 s a time on a CI box, MD5 nothing. The strong
# production default is proven in tests/laborbridge/test_password_hashing.py.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Hash test passwords with MD5 for the whole session (the hasher cache is reset)."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real reference data once into the test database; before it is dropped, end
    the sessions other threads of this process left on it."""
    with django_db_blocker.unblock():
        _ensure_reference()
        _reference_snapshot()
    yield
    # PostgreSQL refuses to drop a database another session is connected to, and pytest-django
    # then leaves it behind with a warning. The live server's request threads keep their
    # connections until Chromium's keep-alive sockets close, which can be after the browser
    # fixture has ended; DROP DATABASE waits a few seconds for terminated sessions to go.
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


_DB_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a database test's fixtures are gone, put the reference data back if a flush
    emptied it.

    pytest-django runs transactional tests (they end with a flush) after all the others in
    one process, but ``make test`` runs two xdist workers and sends each a whole file at a
    time, so a file's transactional tests are followed by other files' tests that expect the
    committed reference data. One EXISTS query after each database test; a restore (~0.1-0.4 s)
    only after a flush.
    """
    yield
    # After the last test the test database is already gone.
    if nextitem is not None and (
        item.get_closest_marker("django_db")
        or _DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    ):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _ensure_reference()


@pytest.fixture
def reference_data(django_db_blocker):
    """Reload reference data after a transactional test flushed it; cheap when present."""
    with django_db_blocker.unblock():
        _ensure_reference()


@pytest.fixture
def official_a(db):
    return make_user("official_a", Role.COUNTY_OFFICIAL, county_id=ANDING)


@pytest.fixture
def official_b(db):
    return make_user("official_b", Role.COUNTY_OFFICIAL, county_id=TONGWEI)


@pytest.fixture
def employer_x(db):
    return EmployerFactory(name="青岛X电子有限公司", district_id=CHENGYANG)


@pytest.fixture
def employer_y(db):
    return EmployerFactory(name="胶州Y食品有限公司", district_id=JIAOZHOU)


@pytest.fixture
def hr_x(employer_x):
    return make_user("hr_x", Role.EMPLOYER_HR, employer=employer_x)


@pytest.fixture
def hr_y(employer_y):
    return make_user("hr_y", Role.EMPLOYER_HR, employer=employer_y)


@pytest.fixture
def pairing_qd_dx(db):
    return Pairing.objects.get(east_region_id="370200", west_region_id="621100")


@pytest.fixture
def coordinator(pairing_qd_dx):
    return make_user("coordinator", Role.COORDINATOR, pairing=pairing_qd_dx, is_staff=True)


@pytest.fixture
def liaison(pairing_qd_dx):
    """A Qingdao–Dingxi workstation liaison over the whole eastern side (no districts)."""
    return make_user("liaison", Role.LIAISON, pairing=pairing_qd_dx)


@pytest.fixture
def liaison_longnan(db):
    """A liaison of another pairing with the same eastern side (Qingdao–Longnan)."""
    pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    return make_user("liaison_longnan", Role.LIAISON, pairing=pairing)


@pytest.fixture
def township_officer(db):
    """A township labour officer of Anding's 凤翔镇."""
    return make_user("township_fx", Role.TOWNSHIP_OFFICER, township_id=FENGXIANG)


@pytest.fixture
def township_officer_b(db):
    """A township labour officer of another Anding township (内官营镇)."""
    return make_user("township_ngy", Role.TOWNSHIP_OFFICER, township_id=NEIGUANYING)


@pytest.fixture
def admin_user(db):
    return make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def query_count(django_assert_max_num_queries):
    """Alias kept short for list-page query-count assertions."""
    return django_assert_max_num_queries


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from laborbridge import widgets

    yield
    cache.clear()
    # Markup a process keeps for minutes (filter forms by scope): each test's data is its own.
    widgets._RENDERED.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language. A request activates its reader's
    language in the thread (the locale middleware) and nothing deactivates it, so a test
    after an English request read labels in English wherever it ran next."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def db_vendor() -> str:
    return connection.vendor
