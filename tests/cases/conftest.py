"""Placed workers, cases and the named users of the cases tests (the liaisons `liaison`
and `liaison_longnan` come from tests/conftest.py)."""

import datetime as dt

import pytest

from cases import services
from laborbridge.models import Pairing, Role
from tests.factories import JIAOZHOU, make_user, place_worker

WAGE_CASE = {
    "kind": "wage_arrears",
    "description": "两个月工资没发。",
    "sector": "non_construction",
    "owed_from": dt.date(2026, 9, 1),
    "owed_to": dt.date(2026, 10, 1),
    "amount_owed": 11000,
}


@pytest.fixture
def employment(employer_x):
    """An Anding worker placed at employer X in Chengyang (Qingdao)."""
    return place_worker(employer_x)


@pytest.fixture
def wage_case(employment, official_a):
    return services.open_case(
        worker=employment.worker,
        kind="wage_arrears",
        opened_via="official",
        by=official_a,
        **{k: v for k, v in WAGE_CASE.items() if k != "kind"},
    )


@pytest.fixture
def coordinator_other(db):
    """A coordinator of another pairing (Qingdao–Longnan: same east, other west)."""
    pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    return make_user("coordinator_other", Role.COORDINATOR, pairing=pairing)


@pytest.fixture
def liaison_jiaozhou(pairing_qd_dx):
    """A Qingdao–Dingxi liaison of Jiaozhou only (employer X is in Chengyang)."""
    user = make_user("liaison_jiaozhou", Role.LIAISON, pairing=pairing_qd_dx)
    user.districts.add(JIAOZHOU)
    return user
