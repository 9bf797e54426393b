"""The QR signup page on a phone: the form comes first, the job list after it."""

import pytest
from django.urls import reverse

from laborbridge.models import Campaign
from tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db


def test_the_form_comes_before_the_job_list(client):
    campaign = Campaign.objects.order_by("pk").first()
    VacancyFactory(campaign=campaign, title="电子装配工")
    body = client.get(reverse("workers_public:signup", args=[campaign.code])).content.decode()
    form, jobs = body.index('id="signup-form"'), body.index('id="vacancies"')
    assert form < jobs < body.index("电子装配工")
    assert 'href="#vacancies"' in body  # one tap down to the jobs for who wants them first
