"""Placements, an agreement and the users of the targets tests."""

import datetime as dt

import pytest

from laborbridge.models import Pairing, Role
from targets import services
from targets.models import Bucket
from tests.factories import (
    ANDING,
    CHENGYANG,
    TONGWEI,
    EmployerFactory,
    make_user,
    place_worker,
)
from workers.models import PovertyStatus

AS_OF = dt.date(2026, 12, 5)
YEAR = 2026


@pytest.fixture
def coordinator_longnan(db):
    """A coordinator of another pairing (Qingdao–Longnan)."""
    pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    return make_user("coordinator_longnan", Role.COORDINATOR, pairing=pairing, is_staff=True)


def placed(employer, *, county=ANDING, started_on, poverty=PovertyStatus.NONE, **derived):
    """Return a placement with the history's derived columns set as given."""
    employment = place_worker(employer, county=county, started_on=started_on)
    worker = employment.worker
    worker.poverty_status = poverty
    worker.save(update_fields=["poverty_status"])
    employment.working_since = derived.get("working_since", started_on)
    employment.months_in_closed_spells = derived.get("closed", 0)
    employment.current_monthly_wage = derived.get("wage", 6000)
    employment.save(
        update_fields=["working_since", "months_in_closed_spells", "current_monthly_wage"]
    )
    return employment


@pytest.fixture
def placements(db, employer_x):
    """Anding and Tongwei workers placed in 2026: Qingdao (跨省), Tongwei (省内县外 for
    Anding), Anding (县内); one of 2025 that must not count."""
    in_gansu = EmployerFactory(name="通渭本地加工厂", city_id="621100", district_id=TONGWEI)
    at_home = EmployerFactory(name="安定本地企业", city_id="621100", district_id=ANDING)
    return {
        "cross": placed(
            employer_x,
            started_on=dt.date(2026, 3, 10),
            poverty=PovertyStatus.POVERTY_ALLEVIATED,
            wage=7000,
        ),
        "cross_tongwei": placed(employer_x, county=TONGWEI, started_on=dt.date(2026, 3, 20)),
        "province": placed(
            in_gansu,
            started_on=dt.date(2026, 8, 1),
            poverty=PovertyStatus.MONITORED,
            wage=4000,
            closed=1,
            working_since=dt.date(2026, 11, 1),
        ),
        "county": placed(at_home, started_on=dt.date(2026, 11, 15), wage=5000),
        "last_year": placed(employer_x, started_on=dt.date(2025, 12, 20)),
        "chengyang": CHENGYANG,
    }


@pytest.fixture
def agreement(coordinator, pairing_qd_dx):
    agreement = services.agreement_save(
        actor=coordinator, pairing=pairing_qd_dx, year=YEAR, title="2026年劳务协作落实协议"
    )
    services.target_set(
        actor=coordinator,
        agreement=agreement,
        county=None,
        bucket=Bucket.CROSS_PROVINCE,
        placed=120,
        poverty=90,
        monitored=6,
    )
    services.target_set(
        actor=coordinator,
        agreement=agreement,
        county=None,
        bucket=Bucket.IN_PROVINCE,
        placed=24,
    )
    return agreement
