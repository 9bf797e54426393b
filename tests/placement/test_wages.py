"""Actual pay against the promise: storing, flagging once, notifying the coordinators."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laborbridge import access
from laborbridge.models import AuditEvent
from laborbridge.notifications.models import Message
from placement import messages, services
from placement.models import MonthlyWage, WageGapFlag, WageSource
from tests.placement.conftest import place

pytestmark = pytest.mark.django_db

D = dt.date
JULY = D(2026, 7, 1)


def _wage(employment, by, amount, *, month=JULY, source=WageSource.FOLLOW_UP):
    return services.record_actual_wage(
        employment=employment, month=month, amount=amount, source=source, by=by
    )


def test_a_short_month_is_flagged_and_notified_once(official_a, employment, pairing_qd_dx):
    # The vacancy promised 5,000 a month (the factory's wage_min): 4,400 is 12 % short.
    _wage(employment, official_a, 4400)
    _wage(employment, official_a, 4300)  # the same source again replaces the figure
    _wage(employment, official_a, 4200, source=WageSource.ROSTER)
    assert MonthlyWage.objects.filter(employment=employment).count() == 2
    flag = WageGapFlag.objects.get(employment=employment)
    assert (flag.month, flag.promised, flag.actual, flag.gap_percent) == (
        D(2026, 7, 1),
        5000,
        4400,
        12,
    )
    notices = Message.objects.filter(key=messages.WAGE_GAP)
    assert notices.count() == 1
    assert notices.get().params["month"] == "2026-07"
    assert notices.get().audiences.get().target == str(pairing_qd_dx.pk)


def test_within_the_threshold_no_flag(official_a, employment, settings):
    _wage(employment, official_a, 4500)  # exactly 10 %: not more than the threshold
    assert not WageGapFlag.objects.exists()
    settings.WAGE_GAP_THRESHOLD = 0.05
    _wage(employment, official_a, 4700, month=D(2026, 8, 1))
    assert WageGapFlag.objects.get().month == D(2026, 8, 1)


def test_the_promise_follows_a_job_change(official_a, employment):
    services.record_job_change(
        actor=official_a,
        employment=employment,
        occurred_on=D(2026, 8, 10),
        same_employer=True,
        monthly_wage=7000,
    )
    _wage(employment, official_a, 6000, month=D(2026, 7, 1))  # July: promised 5,000
    _wage(employment, official_a, 6000, month=D(2026, 8, 1))  # August: 7,000, 14 % short
    assert list(WageGapFlag.objects.values_list("month", "promised")) == [(D(2026, 8, 1), 7000)]


def test_refusals(official_a, official_b, employment):
    with pytest.raises(PermissionDenied):
        _wage(employment, official_b, 4000)
    with pytest.raises(ValidationError) as error:
        _wage(employment, official_a, 4000, month=D(2026, 5, 1))  # before the arrival
    assert "month" in error.value.message_dict
    with pytest.raises(ValidationError):
        _wage(employment, official_a, 0)
    assert not MonthlyWage.objects.exists()


def test_history_section_shows_the_flag(client, official_a, employment):
    _wage(employment, official_a, 3000)
    client.force_login(official_a)
    body = client.get(reverse("workers:detail", args=[employment.worker_id])).content.decode()
    assert "工资低于承诺" in body and "3000 元" in body
    data = client.get(f"/api/v1/placement/employments/{employment.pk}/history/").json()
    assert data["wages"][0]["flag"]["gap_percent"] == 40


class TestFlagList:
    URL = "/placement/wage-flags/"

    def test_coordinator_sees_their_pairings_flags(
        self, client, coordinator, official_a, employment, employer_x, django_assert_max_num_queries
    ):
        _wage(employment, official_a, 3000)
        other = place(employer_x)
        _wage(other, official_a, 3500)
        client.force_login(coordinator)
        with django_assert_max_num_queries(20):
            response = client.get(self.URL)
        body = response.content.decode()
        assert response.status_code == 200
        assert employment.worker.name in body and "−40%" in body

    def test_other_pairing_sees_none(self, client, coordinator_other, official_a, employment):
        _wage(employment, official_a, 3000)
        client.force_login(coordinator_other)
        response = client.get(self.URL)
        assert response.status_code == 200
        assert employment.worker.name not in response.content.decode()

    @pytest.mark.parametrize("who", ["official_a", "hr_x", "liaison"])
    def test_other_roles_are_refused(self, client, request, who):
        client.force_login(request.getfixturevalue(who))
        assert client.get(self.URL).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client):
        assert client.get(self.URL).status_code == 302


class TestFlagResolution:
    """A later follow-up or roster report of the month within the threshold resolves the
    flag (when and on which report, audited); a later short one reopens it."""

    def test_a_later_roster_report_within_the_threshold_resolves(
        self, official_a, employment, pairing_qd_dx
    ):
        _wage(employment, official_a, 4000)  # follow-up: 20 % short
        flag = WageGapFlag.objects.get()
        assert not flag.resolved
        _wage(employment, official_a, 4700, source=WageSource.ROSTER)  # 6 % short: within
        flag.refresh_from_db()
        assert flag.resolved and flag.resolved_at is not None
        assert (flag.resolved_source, flag.resolved_actual, flag.resolved_by) == (
            WageSource.ROSTER,
            4700,
            official_a,
        )
        assert (flag.actual, flag.resolved_gap_percent) == (4000, 6)  # the short figure stays
        audit = AuditEvent.objects.get(action="employment.wage_gap_resolved")
        assert audit.actor == official_a and audit.changes["source"] == WageSource.ROSTER
        assert Message.objects.filter(key=messages.WAGE_GAP).count() == 1  # no second notice

    def test_a_short_report_again_reopens_and_the_worker_cannot_clear(self, official_a, employment):
        _wage(employment, official_a, 4000, source=WageSource.ROSTER)
        _wage(employment, official_a, 5000)  # follow-up: the full promise → resolved
        flag = WageGapFlag.objects.get()
        assert flag.resolved
        _wage(employment, official_a, 3500, source=WageSource.ROSTER)  # corrected roster: short
        flag.refresh_from_db()
        assert not flag.resolved and (flag.actual, flag.source) == (3500, WageSource.ROSTER)
        assert flag.resolved_source == "" and flag.resolved_actual is None
        assert AuditEvent.objects.filter(action="employment.wage_gap_reopened").count() == 1
        _wage(employment, official_a, 5000, source=WageSource.WORKER)  # the worker's word
        flag.refresh_from_db()
        assert not flag.resolved
        assert Message.objects.filter(key=messages.WAGE_GAP).count() == 1

    def test_another_month_does_not_resolve(self, official_a, employment):
        _wage(employment, official_a, 4000)
        _wage(employment, official_a, 5000, month=D(2026, 8, 1))
        assert not WageGapFlag.objects.get().resolved

    def test_a_roster_import_row_resolves(self, official_a, hr_x, employment):
        _wage(employment, official_a, 4000)
        # The wage-roster import writes through the same service as HR.
        _wage(employment, hr_x, 4900, source=WageSource.ROSTER)
        flag = WageGapFlag.objects.get()
        assert flag.resolved and flag.resolved_by == hr_x

    def test_flag_list_says_when_and_why_and_filters(
        self, client, coordinator, official_a, employment
    ):
        _wage(employment, official_a, 4000)
        _wage(employment, official_a, 4000, month=D(2026, 8, 1))
        _wage(employment, official_a, 4800, month=D(2026, 8, 1), source=WageSource.ROSTER)
        client.force_login(coordinator)
        body = client.get(TestFlagList.URL).content.decode()
        assert "未解除" in body and "工资花名册报实发 4800 元" in body
        resolved = client.get(TestFlagList.URL, {"state": "resolved"})
        assert [f.month for f in resolved.context["page"]] == [D(2026, 8, 1)]
        still_open = client.get(TestFlagList.URL, {"state": "open"})
        assert [f.month for f in still_open.context["page"]] == [JULY]
        worker_page = client.get(reverse("workers:detail", args=[employment.worker_id]))
        assert "已解除" in worker_page.content.decode()


class TestBatch:
    """``record_actual_wages`` (the wage-roster import's batch path) keeps the rules of one row."""

    def test_batch_stores_audits_flags_and_resolves(
        self, official_a, hr_x, employment, employer_x, pairing_qd_dx
    ):
        other = place(employer_x)
        _wage(employment, official_a, 4000)  # follow-up short: July flagged
        stored = services.record_actual_wages(
            reports=[
                services.WageReport(employment, JULY, 4800, D(2026, 7, 31)),  # within: resolves
                services.WageReport(other, JULY, 3000),  # short: a new flag and notice
            ],
            source=WageSource.ROSTER,
            by=hr_x,
        )
        assert stored == 2
        flag = WageGapFlag.objects.get(employment=employment)
        assert flag.resolved and (flag.resolved_source, flag.resolved_by) == ("roster", hr_x)
        new = WageGapFlag.objects.get(employment=other)
        assert (new.actual, new.source, new.resolved) == (3000, "roster", False)
        assert Message.objects.filter(key=messages.WAGE_GAP).count() == 2
        audits = AuditEvent.objects.filter(action="employment.wage", actor=hr_x)
        assert audits.count() == 2
        # A corrected roster replaces the figure (one row per source and month).
        services.record_actual_wages(
            reports=[services.WageReport(other, JULY, 3100)], source=WageSource.ROSTER, by=hr_x
        )
        assert MonthlyWage.objects.get(employment=other, source="roster").gross == 3100

    def test_batch_refuses_what_the_user_does_not_see(self, official_a, official_b, employment):
        with pytest.raises(PermissionDenied):
            services.record_actual_wages(
                reports=[services.WageReport(employment, JULY, 4000)],
                source=WageSource.ROSTER,
                by=official_b,
            )
        with pytest.raises(ValidationError):
            services.record_actual_wages(
                reports=[services.WageReport(employment, D(2026, 5, 1), 4000)],
                source=WageSource.ROSTER,
                by=official_a,  # before the arrival
            )
        assert not MonthlyWage.objects.exists()

    def _short_batch(self, employer, hr, count):
        employments = [place(employer) for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            services.record_actual_wages(
                reports=[services.WageReport(e, JULY, 3000) for e in employments],
                source=WageSource.ROSTER,
                by=hr,
            )
        return employments, len(captured)

    def test_new_flags_and_notices_are_written_together(
        self, hr_x, employer_x, pairing_qd_dx, coordinator
    ):
        # Flags and their notices cost the same few queries for 2 flags as for 8.
        _, few = self._short_batch(employer_x, hr_x, 2)
        employments, many = self._short_batch(employer_x, hr_x, 8)
        assert many == few, (few, many)
        assert WageGapFlag.objects.count() == 10
        for employment in employments:
            flag = WageGapFlag.objects.get(employment=employment)
            notice = Message.objects.get(key=messages.WAGE_GAP, cause_id=str(flag.pk))
            assert notice.params["employment_id"] == employment.pk
            assert (notice.params["actual"], notice.params["percent"]) == (3000, 40)
            assert notice.audiences.get().target == str(pairing_qd_dx.pk)
            assert notice.deliveries.get().status == "sent"
        assert notice in access.messages_visible_to(coordinator)

    def test_the_same_month_twice_in_a_batch(self, hr_x, employment):
        # A short figure stored earlier without a flag (say before the promise was known):
        # the batch opens the month's flag on it, then its roster row within the threshold
        # resolves that flag — as two calls of record_actual_wage would.
        MonthlyWage.objects.create(
            employment=employment, month=JULY, gross=3000, source=WageSource.WORKER
        )
        services.record_actual_wages(
            reports=[
                services.WageReport(employment, JULY, 3000),
                services.WageReport(employment, JULY, 4900),  # the roster's corrected figure
            ],
            source=WageSource.ROSTER,
            by=hr_x,
        )
        flag = WageGapFlag.objects.get(employment=employment)
        assert (flag.actual, flag.source) == (3000, WageSource.WORKER)
        assert (flag.resolved, flag.resolved_actual, flag.resolved_by) == (True, 4900, hr_x)
        assert Message.objects.filter(key=messages.WAGE_GAP).count() == 1
        services.record_actual_wages(
            reports=[
                services.WageReport(employment, D(2026, 8, 1), 4900),
                services.WageReport(employment, D(2026, 8, 1), 3500),
            ],
            source=WageSource.ROSTER,
            by=hr_x,
        )
        august = WageGapFlag.objects.get(employment=employment, month=D(2026, 8, 1))
        assert (august.actual, august.resolved) == (3500, False)
        assert Message.objects.filter(key=messages.WAGE_GAP).count() == 2
