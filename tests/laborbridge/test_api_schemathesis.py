"""Schemathesis over the whole OpenAPI schema as a county official, a coordinator, HR, an admin.

Every operation of ``/api/schema/`` gets valid (positive) and invalid (negative) requests,
generated from a fixed seed with a bounded number of examples, and sent in-process to
Django's WSGI application on a small transport world (campaign, trips, pickup points,
confirmed matches). The run must find no server error and no response that breaks the
schema (status code documented, content type, body shape).

Each request runs in a savepoint that is rolled back, so examples do not see each other's
writes and the run is reproducible. ``API_FUZZ_EXAMPLES`` raises the examples per operation
and mode for a deeper local run (default keeps ``make test`` within a couple of minutes).
"""

import datetime as dt
import os
import secrets

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils import timezone
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from laborbridge.models import Pairing, Role
from tests.factories import ANDING, CHENGYANG, JIAOZHOU, EmployerFactory, make_user
from tests.transport import scenario
from tests.transport.conftest import plan_now
from transport.demo import CAMPAIGN, demo_transport_load
from transport.models import Seat, Trip
from transport.services.plans import plan_confirm

# Four roles × every operation: 3–4 minutes under load, so past the default timeout (pyproject).
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.timeout(900)]

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The transport scenario on the demo's dates, planned and confirmed (seats, buses), and
    the four users (as tests/conftest.py makes them), built once for the four roles; yields
    the users by fixture name.

    Built inside a transaction that is rolled back after the module; each test's own
    transaction is a savepoint within it, so a test still sees only the world, never another
    test's writes. Marked ``_from_testcase`` so the services' durable blocks may run inside.
    """
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block._from_testcase = True
        with block:
            employer_x = EmployerFactory(name="青岛X电子有限公司", district_id=CHENGYANG)
            employer_y = EmployerFactory(name="胶州Y食品有限公司", district_id=JIAOZHOU)
            pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621100")
            coordinator = make_user("coordinator", Role.COORDINATOR, pairing=pairing, is_staff=True)
            demo_transport_load()
            train = Trip.objects.get(campaign__code=CAMPAIGN, service_number="G2096")
            start = timezone.localtime(train.departure_at).date() + dt.timedelta(days=1)
            built = scenario.build([employer_x, employer_y], per_employer=3, family=2, start=start)
            plan = plan_now(coordinator, built.campaign, params={"min_fill_special_train": 0})
            plan_confirm(actor=coordinator, plan=plan)
            assert Seat.objects.filter(plan=plan).count() == 6, plan.unplaced
            users = {
                "official_a": make_user("official_a", Role.COUNTY_OFFICIAL, county_id=ANDING),
                "coordinator": coordinator,
                "hr_x": make_user("hr_x", Role.EMPLOYER_HR, employer=employer_x),
                "admin_user": make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True),
            }
            yield users
            transaction.set_rollback(True)


@pytest.fixture
def in_process_requests():
    """Keep the test's connection open across requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _rolled_back():
    """Return a savepoint that is always rolled back and lets durable services run inside.

    Services open ``atomic(durable=True)``; Django allows that inside a test case's own
    atomic blocks only, which it marks with ``_from_testcase``.
    """
    block = transaction.atomic()
    block._from_testcase = True
    return block


def _session(user) -> tuple[dict, dict]:
    """Return (headers, cookies) of a signed-in session with a CSRF token."""
    client = Client()
    client.force_login(user)
    token = secrets.token_hex(16)  # an unmasked 32-character secret is a valid token
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return {"X-CSRFToken": token, "Accept-Language": "zh-hans"}, cookies


def _fuzz(user) -> list[str]:
    """Run every operation as ``user``; return one report per failing operation and mode."""
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    headers, cookies = _session(user)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50, "the schema lost its operations"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures.extend(_fuzz_operation(operation, mode, headers, cookies))
    return failures


def _fuzz_operation(operation, mode, headers: dict, cookies: dict) -> list[str]:
    """Return the first failure of ``operation`` in ``mode``, if any."""
    found: list[str] = []

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        if found:
            return
        with _rolled_back():
            try:
                response = case.call(headers=headers, cookies=cookies)
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as error:  # every failure is reported
                found.append(f"{operation.label} [{mode}] {type(error).__name__}: {error}")
            transaction.set_rollback(True)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        # An operation without parameters or body has no invalid form to generate.
        assert mode == GenerationMode.NEGATIVE, operation.label
    return found


@pytest.mark.parametrize("role", ["official_a", "coordinator", "hr_x", "admin_user"])
def test_whole_api(role, world, in_process_requests):
    """The county official and the coordinator of the issue, plus HR and an administrator."""
    failures = _fuzz(world[role])
    assert not failures, "\n\n".join(failures)
