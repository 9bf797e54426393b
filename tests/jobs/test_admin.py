"""The employer and vacancy admins: scoped like the pages, read-only, and acting through
the services (which lock and audit)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from jobs.models import Employer, VacancyStatus, VerificationStatus
from laborbridge.models import AuditEvent, Pairing, Role
from tests.factories import VacancyFactory, make_user

pytestmark = pytest.mark.django_db

LINXIA_PAIRING = "jinan-shizhong-linxia-city"


@pytest.fixture
def coordinator_linxia(db):
    return make_user(
        "coordinator_linxia",
        Role.COORDINATOR,
        pairing=Pairing.objects.get(code=LINXIA_PAIRING),
        is_staff=True,
    )


@pytest.fixture
def pending_x(employer_x):
    Employer.objects.filter(pk=employer_x.pk).update(verification_status=VerificationStatus.PENDING)
    return employer_x


def test_a_coordinator_sees_their_pairings_rows_only(client, coordinator, employer_x):
    VacancyFactory(employer=employer_x, title="青岛X装配工")
    client.force_login(coordinator)

    assert "青岛X电子有限公司" in client.get("/admin/jobs/employer/").content.decode()
    assert "青岛X装配工" in client.get("/admin/jobs/vacancy/").content.decode()


def test_a_coordinator_of_another_pairing_does_not_see_the_rows(
    client, coordinator_linxia, employer_x
):
    vacancy = VacancyFactory(employer=employer_x, title="青岛X装配工")
    client.force_login(coordinator_linxia)

    employers = client.get("/admin/jobs/employer/")
    vacancies = client.get("/admin/jobs/vacancy/")

    assert employers.status_code == vacancies.status_code == 200
    assert "青岛X电子有限公司" not in employers.content.decode()
    assert "青岛X装配工" not in vacancies.content.decode()
    assert client.get(f"/admin/jobs/employer/{employer_x.pk}/change/").status_code == 302
    assert client.get(f"/admin/jobs/vacancy/{vacancy.pk}/change/").status_code == 302


def test_the_forms_are_read_only(client, admin_user, employer_x):
    vacancy = VacancyFactory(employer=employer_x)
    client.force_login(admin_user)

    page = client.get(f"/admin/jobs/employer/{employer_x.pk}/change/").content.decode()
    assert 'name="name"' not in page and 'name="_save"' not in page
    assert (
        client.post(f"/admin/jobs/employer/{employer_x.pk}/change/", {"name": "改"}).status_code
        == 403
    )
    assert client.get("/admin/jobs/employer/add/").status_code == 403
    assert client.get("/admin/jobs/vacancy/add/").status_code == 403
    assert client.get(f"/admin/jobs/vacancy/{vacancy.pk}/delete/").status_code == 403
    employer_x.refresh_from_db()
    assert employer_x.name == "青岛X电子有限公司"


def _act(client, model, action, pks):
    return client.post(
        f"/admin/jobs/{model}/", {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]}
    )


def test_verifying_in_the_admin_goes_through_the_service_and_is_audited(
    client, coordinator, pending_x
):
    client.force_login(coordinator)

    assert _act(client, "employer", "verify_selected", [pending_x.pk]).status_code == 302

    pending_x.refresh_from_db()
    assert pending_x.verification_status == VerificationStatus.VERIFIED
    event = AuditEvent.objects.get(action="employer.verify", target_id=str(pending_x.pk))
    assert event.actor == coordinator


def test_another_pairings_coordinator_cannot_act_on_rows_they_cannot_see(
    client, coordinator_linxia, pending_x
):
    client.force_login(coordinator_linxia)

    _act(client, "employer", "verify_selected", [pending_x.pk])

    pending_x.refresh_from_db()
    assert pending_x.verification_status == VerificationStatus.PENDING
    assert not AuditEvent.objects.filter(action="employer.verify").exists()


def test_vacancy_actions_move_the_status_through_the_service(client, admin_user, employer_x):
    vacancy = VacancyFactory(employer=employer_x, status=VacancyStatus.OPEN)
    client.force_login(admin_user)

    _act(client, "vacancy", "pause_selected", [vacancy.pk])

    vacancy.refresh_from_db()
    assert vacancy.status == VacancyStatus.PAUSED
    assert AuditEvent.objects.filter(action="vacancy.status", target_id=str(vacancy.pk)).exists()
