"""Declining a match needs a reason (service, page, API); a missing or unknown answer is an
error, not a decline."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from laborbridge.models import AuditEvent, Pairing, Role
from matching import services
from matching.models import Match, MatchStatus
from tests.factories import ANDING, VacancyFactory, WorkerFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def match(employer_x):
    return Match.objects.create(
        worker=WorkerFactory(home_county_id=ANDING),
        vacancy=VacancyFactory(employer=employer_x, headcount=3),
        status=MatchStatus.OFFERED,
    )


def status_of(match) -> str:
    return Match.objects.values_list("status", flat=True).get(pk=match.pk)


class TestService:
    @pytest.mark.parametrize("reason", ["", "   "])
    def test_decline_without_reason_is_refused(self, official_a, match, reason):
        with pytest.raises(ValidationError) as caught:
            services.match_worker_respond(
                actor=official_a, match=match, accept=False, reason=reason
            )
        assert "谢绝时请填写原因" in caught.value.message_dict["reason"][0]
        assert status_of(match) == MatchStatus.OFFERED
        assert not AuditEvent.objects.filter(action="match.worker_decline").exists()

    def test_decline_with_reason_is_recorded(self, official_a, match):
        services.match_worker_respond(
            actor=official_a, match=match, accept=False, reason="家中老人生病"
        )
        match.refresh_from_db()
        assert match.status == MatchStatus.DECLINED and match.decline_reason == "家中老人生病"
        event = AuditEvent.objects.get(action="match.worker_decline")
        assert event.actor == official_a


class TestPage:
    def url(self, match) -> str:
        return reverse("matching:worker_answer", args=[match.pk])

    def test_decline_without_reason_shows_the_message_and_changes_nothing(
        self, client, official_a, match
    ):
        client.force_login(official_a)
        response = client.post(self.url(match), {"answer": "decline", "reason": ""}, follow=True)
        assert "谢绝时请填写原因" in response.content.decode()
        assert status_of(match) == MatchStatus.OFFERED

    @pytest.mark.parametrize("payload", [{}, {"answer": "maybe", "reason": "不想去"}])
    def test_missing_or_unknown_answer_is_an_error_not_a_decline(
        self, client, official_a, match, payload
    ):
        client.force_login(official_a)
        response = client.post(self.url(match), payload, follow=True)
        body = response.content.decode()
        assert "请选择求职者的答复" in body or "未知的答复" in body
        assert status_of(match) == MatchStatus.OFFERED

    def test_decline_with_reason(self, client, official_a, match):
        client.force_login(official_a)
        client.post(self.url(match), {"answer": "decline", "reason": "工资不合适"})
        match.refresh_from_db()
        assert match.status == MatchStatus.DECLINED and match.decline_reason == "工资不合适"

    def test_the_form_asks_for_the_reason(self, client, official_a, match):
        client.force_login(official_a)
        body = client.get(reverse("matching:county_matches")).content.decode()
        assert "谢绝原因（谢绝时必填）" in body

    def test_others_cannot_answer(self, client, official_b, hr_y, coordinator, match):
        other_pairing = Pairing.objects.exclude(pk=coordinator.pairing_id).first()
        other_coordinator = make_user("coordinator_other", Role.COORDINATOR, pairing=other_pairing)
        for user in (official_b, hr_y, other_coordinator):
            client.force_login(user)
            response = client.post(self.url(match), {"answer": "decline", "reason": "x"})
            assert response.status_code in (403, 404), user
        client.logout()
        response = client.post(self.url(match), {"answer": "decline", "reason": "x"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert status_of(match) == MatchStatus.OFFERED


class TestApi:
    def url(self, match) -> str:
        return f"/api/v1/matches/{match.pk}/decide/"

    @pytest.mark.parametrize("decision", ["decline", "employer_decline"])
    def test_decline_without_reason_is_400(self, client, official_a, hr_x, match, decision):
        client.force_login(official_a if decision == "decline" else hr_x)
        response = client.post(
            self.url(match), {"decision": decision}, content_type="application/json"
        )
        assert response.status_code == 400
        assert "谢绝或驳回时请填写原因" in response.content.decode()
        assert status_of(match) == MatchStatus.OFFERED

    def test_unknown_decision_is_400(self, client, official_a, match):
        client.force_login(official_a)
        response = client.post(
            self.url(match), {"decision": "maybe"}, content_type="application/json"
        )
        assert response.status_code == 400
        assert status_of(match) == MatchStatus.OFFERED

    def test_decline_with_reason(self, client, official_a, match):
        client.force_login(official_a)
        response = client.post(
            self.url(match),
            {"decision": "decline", "reason": "已在本地找到工作"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == MatchStatus.DECLINED

    def test_others_and_anonymous_are_refused(self, client, official_b, hr_y, match):
        payload = {"decision": "decline", "reason": "x"}
        assert client.post(self.url(match), payload).status_code in (401, 403)
        for user in (official_b, hr_y):
            client.force_login(user)
            response = client.post(self.url(match), payload, content_type="application/json")
            assert response.status_code in (403, 404)
        assert status_of(match) == MatchStatus.OFFERED
