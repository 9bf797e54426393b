"""Travellers with consent and phones, a console backend that records, named users."""

import pytest

from outreach import backends
from tests.selfservice.conftest import place, placed, seat_for  # noqa: F401  (re-exported)
from workers.models import ConsentStatus


@pytest.fixture(autouse=True)
def _console_backend(settings):
    settings.SMS_BACKEND = "console"
    settings.SMS_FILE = ""
    settings.SMS_DAILY_LIMIT = 5
    settings.SMS_RECEIPT_SECRET = "receipt-secret"
    backends._backend = None  # a fresh record per test
    yield
    backends._backend = None


def sent():
    """Return what the console backend was asked to send in this test."""
    return backends.backend().sent


def consenting(worker):
    worker.consent_status = ConsentStatus.GIVEN
    worker.save(update_fields=["consent_status"])
    return worker


@pytest.fixture
def traveller(employer_x):
    """A consenting worker (Anding) with a confirmed match and a seat three days out."""
    worker, match, _employment = place(employer_x, employed=False)
    consenting(worker)
    seat = seat_for(match)
    return seat
