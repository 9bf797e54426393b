"""Two people recording at the same instant replay the same history, one after the other."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from placement import services
from placement.models import EmploymentEvent
from tests.placement.conftest import place


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_leavings_at_once_record_one(reference_data, official_a, coordinator, employer_x):
    employment = place(employer_x)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def leave(actor, day):
        close_old_connections()
        barrier.wait()
        try:
            services.record_leaving(
                actor=actor, employment=employment, occurred_on=day, reason="wage"
            )
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=leave, args=(official_a, dt.date(2026, 7, 1))),
        threading.Thread(target=leave, args=(coordinator, dt.date(2026, 8, 1))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert EmploymentEvent.objects.filter(employment=employment, kind="left").count() == 1
