"""Personal links: issue, replace, revoke, expire, resolve; the worker's own reports."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from laborbridge.models import AuditEvent, Region
from placement.models import EmploymentEvent, EventKind
from selfservice import services
from selfservice.models import PersonalLink, RevokeReason
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_a_link_is_unguessable_and_stored_only_as_its_hash(link_and_token):
    link, token = link_and_token
    assert len(token) >= 43
    assert link.token_hash == services.token_hash(token) != token
    assert not PersonalLink.objects.filter(token_hash=token).exists()
    assert services.link_resolve(token) == link
    assert link.expires_at > timezone.now() + dt.timedelta(days=179)
    audit = AuditEvent.objects.get(action="personal_link.issue")
    assert audit.actor.username == "official_a" and token not in str(audit.changes)


def test_the_lifetime_is_a_setting(placed, official_a, settings):
    settings.PERSONAL_LINK_DAYS = 7
    link, _token = services.link_issue(actor=official_a, worker=placed.worker)
    assert link.expires_at < timezone.now() + dt.timedelta(days=8)


def test_a_new_link_revokes_the_old_one(link_and_token, official_a, placed):
    old, old_token = link_and_token
    new, new_token = services.link_issue(actor=official_a, worker=placed.worker)
    old.refresh_from_db()
    assert old.revoke_reason == RevokeReason.REPLACED and old.revoked_at is not None
    with pytest.raises(services.LinkGone):
        services.link_resolve(old_token)
    assert services.link_resolve(new_token) == new


def test_revoked_expired_and_unknown_links_are_refused(link_and_token, official_a, placed):
    link, token = link_and_token
    assert services.link_resolve("not-a-token") is None
    assert services.link_resolve("") is None
    PersonalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    with pytest.raises(services.LinkGone):
        services.link_resolve(token)
    _link, token = services.link_issue(actor=official_a, worker=placed.worker)
    services.link_revoke(actor=official_a, worker=placed.worker)
    with pytest.raises(services.LinkGone):
        services.link_resolve(token)
    assert AuditEvent.objects.filter(action="personal_link.revoke").count() == 1


def test_only_the_workers_officials_and_coordinator_manage_the_link(
    placed, official_b, hr_x, coordinator, coordinator_other, liaison, liaison_longnan, admin_user
):
    # The workplace's liaison (who sees the worker) is refused too, like another pairing's.
    for user in (official_b, hr_x, coordinator_other, liaison, liaison_longnan):
        with pytest.raises(PermissionDenied):
            services.link_issue(actor=user, worker=placed.worker)
        with pytest.raises(PermissionDenied):
            services.link_revoke(actor=user, worker=placed.worker)
    assert services.link_issue(actor=coordinator, worker=placed.worker)[0].created_by == coordinator
    assert services.link_issue(actor=admin_user, worker=placed.worker)[0].is_live


def test_a_worker_without_a_match_gets_no_link(official_a):
    with pytest.raises(ValidationError):
        services.link_issue(actor=official_a, worker=WorkerFactory())


def test_opening_is_counted(link_and_token):
    link, _token = link_and_token
    services.link_opened(link)
    services.link_opened(link)
    link.refresh_from_db()
    assert link.open_count == 2 and link.last_opened_at is not None


def test_at_work_is_recorded_once_a_day_through_placement(link_and_token, placed):
    link, _token = link_and_token
    event, new = services.worker_confirm_at_work(link=link)
    assert new and event.kind == EventKind.CONFIRMED and event.recorded_by is None
    assert event.occurred_on == timezone.localdate()
    again, new = services.worker_confirm_at_work(link=link)
    assert not new and again == event
    assert EmploymentEvent.objects.filter(employment=placed).count() == 1
    assert AuditEvent.objects.filter(action="personal_link.confirm").count() == 1
    assert AuditEvent.objects.filter(action="employment.confirmed", actor=None).count() == 1


def test_a_revoked_link_records_nothing(link_and_token, official_a, placed):
    link, _token = link_and_token
    services.link_revoke(actor=official_a, worker=placed.worker)
    with pytest.raises(services.LinkGone):
        services.worker_confirm_at_work(link=link)
    assert not EmploymentEvent.objects.exists()


def test_job_change_names_the_employer_county_and_wage(link_and_token, placed):
    link, _token = link_and_token
    county = Region.objects.get(pk="370281")
    event = services.worker_job_change(
        link=link, employer_name=" 胶州某服装厂 ", workplace=county, monthly_wage=5200
    )
    assert event.kind == EventKind.JOB_CHANGE and event.employer_name == "胶州某服装厂"
    assert event.workplace == county and event.monthly_wage == 5200
    with pytest.raises(ValidationError) as error:
        services.worker_job_change(
            link=link, employer_name="", workplace=Region.objects.get(pk="370200"), monthly_wage=0
        )
    assert set(error.value.message_dict) == {"employer_name", "workplace", "monthly_wage"}


def test_a_matched_worker_not_yet_placed_cannot_report_at_work(employer_x, official_a):
    from tests.selfservice.conftest import place

    worker, _match, _none = place(employer_x, employed=False)
    link, _token = services.link_issue(actor=official_a, worker=worker)
    with pytest.raises(ValidationError):
        services.worker_confirm_at_work(link=link)


def test_the_worker_reports_only_at_work_and_job_changes(placed):
    from placement.services import record_reported_by_worker

    with pytest.raises(ValueError):
        record_reported_by_worker(
            employment=placed, kind=EventKind.LEFT, occurred_on=timezone.localdate()
        )
    with pytest.raises(ValidationError):  # an off-platform employer needs its county
        record_reported_by_worker(
            employment=placed,
            kind=EventKind.JOB_CHANGE,
            occurred_on=timezone.localdate(),
            employer_name="某厂",
        )
