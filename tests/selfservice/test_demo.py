"""The demo step issues the travellers' links and prints one that opens."""

import pytest

from laborbridge import registry
from selfservice import services
from selfservice.demo import demo_links_issue
from selfservice.models import PersonalLink
from tests.selfservice.conftest import place, seat_for

pytestmark = pytest.mark.django_db


def test_the_demo_step_issues_links_and_prints_one_that_opens(employer_x, coordinator):
    worker, match, _none = place(employer_x, employed=False)
    seat_for(match)
    lines = registry.demo_steps_run(base_url="http://127.0.0.1:8000")
    issued = next(line for line in lines if line.startswith("Personal links:"))
    # Other apps' demo steps (run before this one) may place workers of their own.
    issued_count = int(issued.split(":", 1)[1].split("issued", 1)[0])
    assert issued_count == PersonalLink.objects.filter(revoked_at=None).count() >= 1
    url = next(line for line in lines if "own page" in line).rsplit(" ", 1)[1]
    assert url.startswith("http://127.0.0.1:8000/me/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert services.link_resolve(token).worker == worker
    again = demo_links_issue(base_url="http://127.0.0.1:8000")
    assert "0 issued" in again[0]  # a second run adds nothing but the printed worker's link
    assert PersonalLink.objects.filter(worker=worker, revoked_at=None).count() == 1
    with pytest.raises(services.LinkGone):
        services.link_resolve(token)
