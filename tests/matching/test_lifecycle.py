"""The match lifecycle: transitions, headcount, one active match per worker, permissions."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction

from jobs.models import Vacancy
from laborbridge.models import AuditEvent
from matching import services
from matching.models import Match, MatchStatus
from tests.factories import ANDING, TONGWEI, VacancyFactory, WorkerFactory
from workers.models import Employment, Worker

pytestmark = pytest.mark.django_db


def _match(vacancy, status=MatchStatus.OFFERED, county=ANDING, **extra) -> Match:
    return Match.objects.create(
        worker=WorkerFactory(home_county_id=county), vacancy=vacancy, status=status, **extra
    )


@pytest.fixture
def vacancy(employer_x):
    return VacancyFactory(employer=employer_x, headcount=2)


def test_full_lifecycle_moves_worker_and_headcount(coordinator, official_a, hr_x, vacancy):
    match = _match(vacancy, status=MatchStatus.PROPOSED)
    services.match_review(actor=coordinator, match=match, approve=True)
    services.match_offer(actor=coordinator, match=match)
    assert Worker.objects.get(pk=match.worker_id).status == "offered"
    services.match_worker_respond(actor=official_a, match=match, accept=True)
    vacancy.refresh_from_db()
    assert vacancy.filled_count == 1
    match = services.match_employer_respond(actor=hr_x, match=match, confirm=True)
    assert match.status == MatchStatus.CONFIRMED
    services.match_mark_hired(actor=hr_x, match=match)
    match.refresh_from_db()
    assert match.status == MatchStatus.HIRED
    assert Worker.objects.get(pk=match.worker_id).status == "employed"
    employment = Employment.objects.get(match=match)
    assert employment.employer == vacancy.employer and employment.status == "employed"
    services.match_mark_hired(actor=hr_x, match=match)  # checking in twice opens nothing more
    assert Employment.objects.filter(worker=match.worker).count() == 1
    actions = list(
        AuditEvent.objects.filter(target_type="matching.match").values_list("action", flat=True)
    )
    assert set(actions) == {
        "match.approve",
        "match.offer",
        "match.worker_accept",
        "match.employer_confirm",
        "match.hire",
    }


def test_employer_may_confirm_before_the_worker_answers(official_a, hr_x, vacancy):
    match = _match(vacancy)
    services.match_employer_respond(actor=hr_x, match=match, confirm=True)
    match.refresh_from_db()
    assert match.status == MatchStatus.OFFERED and match.employer_decision == "yes"
    match = services.match_worker_respond(actor=official_a, match=match, accept=True)
    assert match.status == MatchStatus.CONFIRMED


def test_illegal_transition_is_refused_with_a_clear_message(official_a, vacancy):
    match = _match(vacancy, status=MatchStatus.PROPOSED)
    with pytest.raises(ValidationError) as error:
        services.match_worker_respond(actor=official_a, match=match, accept=True)
    assert "已推荐" in error.value.messages[0] and "待审核" in error.value.messages[0]


def test_headcount_is_never_exceeded(official_a, vacancy):
    first, second, third = (_match(vacancy) for _ in range(3))
    services.match_worker_respond(actor=official_a, match=first, accept=True)
    services.match_worker_respond(actor=official_a, match=second, accept=True)
    with pytest.raises(services.VacancyFull):
        services.match_worker_respond(actor=official_a, match=third, accept=True)
    vacancy.refresh_from_db()
    assert vacancy.filled_count == 2 and vacancy.status == "filled"
    assert Match.objects.get(pk=third.pk).status == MatchStatus.OFFERED


def test_accepting_twice_is_harmless(official_a, vacancy):
    match = _match(vacancy)
    services.match_worker_respond(actor=official_a, match=match, accept=True)
    services.match_worker_respond(actor=official_a, match=match, accept=True)
    vacancy.refresh_from_db()
    assert vacancy.filled_count == 1


def test_declining_after_accepting_frees_the_place(official_a, hr_x, vacancy):
    match = _match(vacancy)
    services.match_worker_respond(actor=official_a, match=match, accept=True)
    services.match_employer_respond(actor=hr_x, match=match, confirm=False, reason="岗位调整")
    vacancy.refresh_from_db()
    assert vacancy.filled_count == 0
    assert Worker.objects.get(pk=match.worker_id).status == "registered"


def test_a_worker_holds_one_active_match(vacancy, employer_y):
    match = _match(vacancy, status=MatchStatus.PROPOSED)
    other = VacancyFactory(employer=employer_y)
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(worker=match.worker, vacancy=other, status=MatchStatus.PROPOSED)
    Match.objects.create(worker=match.worker, vacancy=other, status=MatchStatus.DECLINED)


class TestPermissions:
    def test_another_countys_official_cannot_answer(self, official_b, vacancy):
        match = _match(vacancy)
        with pytest.raises(PermissionDenied):
            services.match_worker_respond(actor=official_b, match=match, accept=True)

    def test_another_employers_hr_cannot_confirm(self, hr_y, vacancy):
        match = _match(vacancy)
        with pytest.raises(PermissionDenied):
            services.match_employer_respond(actor=hr_y, match=match, confirm=True)

    def test_officials_and_hr_cannot_approve(self, official_a, hr_x, vacancy):
        match = _match(vacancy, status=MatchStatus.PROPOSED)
        for user in (official_a, hr_x):
            with pytest.raises(PermissionDenied):
                services.match_review(actor=user, match=match, approve=True)

    def test_hr_does_not_see_unreviewed_proposals(self, client, hr_x, vacancy):
        proposed = _match(vacancy, status=MatchStatus.PROPOSED)
        offered = _match(vacancy)
        client.force_login(hr_x)
        ids = [row["id"] for row in client.get("/api/v1/matches/").json()["results"]]
        assert ids == [offered.pk] and proposed.pk not in ids

    def test_api_decide_is_scoped(self, client, official_b, vacancy):
        match = _match(vacancy)
        client.force_login(official_b)
        assert (
            client.post(f"/api/v1/matches/{match.pk}/decide/", {"decision": "accept"}).status_code
            == 404
        )

    def test_api_decide_accepts(self, client, official_a, vacancy):
        match = _match(vacancy)
        client.force_login(official_a)
        response = client.post(f"/api/v1/matches/{match.pk}/decide/", {"decision": "accept"})
        assert response.status_code == 200 and response.json()["status"] == "accepted"

    def test_anonymous_is_refused(self, client, vacancy):
        match = _match(vacancy)
        assert client.get("/api/v1/matches/").status_code in (401, 403)
        assert client.post(
            f"/api/v1/matches/{match.pk}/decide/", {"decision": "accept"}
        ).status_code in (401, 403)
        assert client.get("/api/v1/rounds/").status_code in (401, 403)

    def test_county_page_shows_only_own_county(self, client, official_a, vacancy):
        mine = _match(vacancy, county=ANDING)
        theirs = _match(vacancy, county=TONGWEI)
        client.force_login(official_a)
        body = client.get("/matching/my-county/").content.decode()
        assert mine.worker.name in body and theirs.worker.name not in body

    def test_county_page_refuses_hr(self, client, hr_x):
        client.force_login(hr_x)
        assert client.get("/matching/my-county/").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_never_overfill(reference_data, official_a, employer_x):
    """Twelve workers accept at the same instant for a vacancy with four places."""
    vacancy = VacancyFactory(employer=employer_x, headcount=4)
    matches = [_match(vacancy) for _ in range(12)]
    matches.append(matches[0])  # and one of them presses the button twice
    barrier = threading.Barrier(len(matches))
    outcomes: list[str] = []

    def accept(match):
        close_old_connections()
        barrier.wait()
        try:
            services.match_worker_respond(actor=official_a, match=match, accept=True)
            outcomes.append("ok")
        except services.VacancyFull:
            outcomes.append("full")
        finally:
            connection.close()  # each thread has its own connection; leave none open

    threads = [threading.Thread(target=accept, args=(m,)) for m in matches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    vacancy = Vacancy.objects.get(pk=vacancy.pk)
    held = Match.objects.filter(
        vacancy=vacancy, status__in=["accepted", "confirmed", "hired"]
    ).count()
    assert vacancy.filled_count == held == 4
    assert outcomes.count("full") >= 12 - 4
