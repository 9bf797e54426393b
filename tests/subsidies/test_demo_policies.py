"""The policies' demo step: the Gansu rule loaded, Anding workers eligible and not yet."""

import pytest

from jobs.models import VerificationStatus
from subsidies.demo import demo_subsidies_step
from subsidies.models import EligibilityResult, EligibilityRun, Policy, PolicyBudget
from tests.factories import ANDING, HUANGDAO, EmployerFactory, make_user

pytestmark = pytest.mark.django_db


def test_demo_step_loads_rule_workers_and_eligibility():
    EmployerFactory(district_id=HUANGDAO, verification_status=VerificationStatus.VERIFIED)
    make_user("official_anding", "county_official", county_id=ANDING)
    lines = demo_subsidies_step(base_url="http://testserver")
    assert "/subsidies/policies/" in lines[0]
    policy = Policy.objects.get(code="gansu-2024-transport")
    assert PolicyBudget.objects.filter(policy=policy, county_id=ANDING).exists()
    outcomes = list(
        EligibilityResult.objects.filter(policy=policy, county_id=ANDING).values_list(
            "outcome", flat=True
        )
    )
    assert outcomes.count("eligible") == 14 and outcomes.count("not_yet") == 3
    assert EligibilityRun.objects.filter(policy=policy, status="done").exists()
    demo_subsidies_step(base_url="http://testserver")  # again: nothing doubled
    assert EligibilityResult.objects.filter(policy=policy, county_id=ANDING).count() == 17
