"""Targets pages, exports and API: who may open what (and who is refused)."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from targets.aggregates import aggregates_refresh
from targets.models import Agreement, ListSnapshot, Target
from tests.factories import ANDING, TONGWEI

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestDashboards:
    def test_coordinator_lands_on_the_pairing_dashboard(
        self, client, coordinator, pairing_qd_dx, placements, agreement, query_count
    ):
        client.force_login(coordinator)
        landing = client.get(reverse("targets:dashboard"))
        assert landing.status_code == 302
        aggregates_refresh()  # built: the page only reads them
        with query_count(25):  # a fixed number of grouped queries, whatever the rows
            page = client.get(landing.url, {"year": 2026})
        assert page.status_code == 200
        assert page.context["progress"].totals["placed"] == 4
        html = page.content.decode()
        assert 'id="chart-placements" type="application/json"' in html
        assert 'data-chart="chart-funnel"' in html and "echarts.min.js" in html
        assert "<script>" not in html  # data blocks only, no inline code (CSP)

    def test_official_sees_their_county_only(self, client, official_a, placements):
        client.force_login(official_a)
        landing = client.get(reverse("targets:dashboard"))
        assert landing.url == reverse("targets:county", kwargs={"key": ANDING})
        page = client.get(landing.url, {"year": 2026})
        assert page.status_code == 200
        assert page.context["progress"].totals["placed"] == 3
        assert client.get(reverse("targets:county", kwargs={"key": TONGWEI})).status_code == 404

    @pytest.mark.parametrize("who", ["official_a", "coordinator_longnan"])
    def test_others_get_404_for_the_pairing(self, client, request, who, pairing_qd_dx):
        client.force_login(request.getfixturevalue(who))
        url = reverse("targets:pairing", kwargs={"key": pairing_qd_dx.pk})
        assert client.get(url).status_code == 404
        xlsx = reverse("targets:pairing_report_xlsx", kwargs={"key": pairing_qd_dx.pk})
        assert client.get(xlsx).status_code == 404

    @pytest.mark.parametrize("who", ["hr_x", "liaison"])
    def test_other_roles_are_refused(self, client, request, who, pairing_qd_dx):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("targets:dashboard")).status_code == 403
        assert client.get(reverse("targets:county", kwargs={"key": ANDING})).status_code == 403
        url = reverse("targets:pairing_lists", kwargs={"key": pairing_qd_dx.pk})
        assert client.get(url).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client, pairing_qd_dx):
        for url in (
            reverse("targets:pairing", kwargs={"key": pairing_qd_dx.pk}),
            reverse("targets:county_list_xlsx", kwargs={"key": ANDING, "which": "demand"}),
            reverse("targets:agreements"),
        ):
            assert client.get(url).status_code == 302

    def test_report_xlsx_has_the_tables_numbers(
        self, client, coordinator, pairing_qd_dx, placements
    ):
        client.force_login(coordinator)
        url = reverse("targets:pairing_report_xlsx", kwargs={"key": pairing_qd_dx.pk})
        response = client.get(url, {"report": "placements", "by": "bucket", "year": 2026})
        assert response.status_code == 200 and response["Content-Type"] == XLSX
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("就业去向", "转移就业人数")
        assert sorted(row[1] for row in rows[1:]) == [1, 1, 2]
        assert client.get(url, {"by": "nonsense"}).status_code == 404


class TestLists:
    def test_county_lists_and_exports(self, client, official_a):
        client.force_login(official_a)
        page = client.get(reverse("targets:county_lists", kwargs={"key": ANDING}))
        assert page.status_code == 200
        assert page.context["may_pin"] is False
        for which in ("demand", "supply", "gap"):
            url = reverse("targets:county_list_xlsx", kwargs={"key": ANDING, "which": which})
            response = client.get(url, {"month": "3"})
            assert response.status_code == 200 and response["Content-Type"] == XLSX
        other = reverse("targets:county_list_xlsx", kwargs={"key": TONGWEI, "which": "demand"})
        assert client.get(other).status_code == 404

    def test_coordinator_pins_a_snapshot(
        self, client, coordinator, coordinator_longnan, pairing_qd_dx
    ):
        client.force_login(coordinator)
        url = reverse("targets:snapshot_pin", kwargs={"pk": pairing_qd_dx.pk})
        response = client.post(url, {"title": "3月联席会"})
        snapshot = ListSnapshot.objects.get()
        assert response.url == reverse("targets:snapshot", kwargs={"pk": snapshot.pk})
        assert snapshot.title == "3月联席会" and snapshot.taken_by == coordinator
        assert client.get(response.url).status_code == 200
        client.force_login(coordinator_longnan)
        assert client.get(response.url).status_code == 404
        assert client.post(url).status_code == 404

    def test_official_may_not_pin(self, client, official_a, pairing_qd_dx):
        client.force_login(official_a)
        url = reverse("targets:snapshot_pin", kwargs={"pk": pairing_qd_dx.pk})
        assert client.post(url).status_code == 403
        assert not ListSnapshot.objects.exists()


class TestAgreements:
    def test_coordinator_creates_sets_and_imports(self, client, coordinator, pairing_qd_dx):
        client.force_login(coordinator)
        response = client.post(
            reverse("targets:agreements"),
            {"pairing": pairing_qd_dx.pk, "year": 2026, "title": "2026年协议"},
        )
        agreement = Agreement.objects.get()
        assert response.url == reverse("targets:agreement", kwargs={"pk": agreement.pk})
        detail = reverse("targets:agreement", kwargs={"pk": agreement.pk})
        client.post(
            detail, {"county": ANDING, "bucket": "cross_province", "placed": 50, "poverty": 40}
        )
        assert Target.objects.get(county_id=ANDING).poverty == 40
        data = _workbook(
            [
                ["县区", "就业去向", "目标人数", "其中脱贫劳动力", "其中监测对象"],
                ["全部", "跨省", 300, 200, 10],
                ["通渭县", "省内县外", 80, 50, 0],
                [ANDING, "跨省", 60, 45, 2],
            ]
        )
        upload = io.BytesIO(data)
        upload.name = "targets.xlsx"
        client.post(detail, {"file": upload})
        assert Target.objects.count() == 3
        assert Target.objects.get(county_id=ANDING).placed == 60
        assert Target.objects.get(county__isnull=True).placed == 300

    def test_import_refuses_a_bad_row_whole(self, client, coordinator, agreement):
        client.force_login(coordinator)
        data = _workbook(
            [
                ["县区", "就业去向", "目标人数", "其中脱贫劳动力", "其中监测对象"],
                ["安定区", "跨省", 10, 5, 0],
                ["城阳区", "跨省", 10, 5, 0],
            ]
        )
        upload = io.BytesIO(data)
        upload.name = "targets.xlsx"
        before = Target.objects.count()
        page = client.post(
            reverse("targets:agreement", kwargs={"pk": agreement.pk}), {"file": upload}, follow=True
        )
        assert "第3行" in page.content.decode()
        assert Target.objects.count() == before

    def test_poverty_above_total_is_refused(self, client, coordinator, agreement):
        client.force_login(coordinator)
        page = client.post(
            reverse("targets:agreement", kwargs={"pk": agreement.pk}),
            {"bucket": "in_county", "placed": 5, "poverty": 9},
            follow=True,
        )
        assert "不能超过目标人数" in page.content.decode()

    @pytest.mark.parametrize("who", ["official_a", "hr_x"])
    def test_non_coordinators_are_refused(self, client, request, who, agreement):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("targets:agreements")).status_code == 403
        url = reverse("targets:agreement", kwargs={"pk": agreement.pk})
        assert client.get(url).status_code == 403

    def test_other_pairings_coordinator_gets_404(self, client, coordinator_longnan, agreement):
        client.force_login(coordinator_longnan)
        url = reverse("targets:agreement", kwargs={"pk": agreement.pk})
        assert client.get(url).status_code == 404


class TestApi:
    def test_coordinator_reads_a_report(self, client, coordinator, pairing_qd_dx, placements):
        client.force_login(coordinator)
        response = client.get(
            "/api/v1/targets/reports/placements/",
            {"pairing": pairing_qd_dx.pk, "year": 2026, "by": "month"},
        )
        assert response.status_code == 200
        body = response.json()
        assert body["dimensions"] == ["month"]
        assert [row[:2] for row in body["rows"]] == [["3月", 2], ["8月", 1], ["11月", 1]]

    def test_refusals(self, client, official_b, hr_x, pairing_qd_dx):
        url = "/api/v1/targets/reports/placements/"
        assert client.get(url, {"county": ANDING}).status_code in (401, 403)
        client.force_login(official_b)
        assert client.get(url, {"county": ANDING}).status_code == 404
        assert client.get(url, {"pairing": pairing_qd_dx.pk}).status_code == 404
        assert client.get(url, {"county": TONGWEI, "by": "nope"}).status_code == 400
        client.force_login(hr_x)
        assert client.get(url, {"county": ANDING}).status_code == 403


class TestEmployerDashboard:
    def test_hr_sees_their_company(self, client, hr_x, employer_x, placements):
        client.force_login(hr_x)
        landing = client.get(reverse("targets:employer_home"))
        assert landing.url == reverse("targets:employer", kwargs={"key": employer_x.pk})
        page = client.get(landing.url, {"year": 2026})
        assert page.status_code == 200
        totals = page.context["progress"].totals
        # employer_x: the two March 2026 arrivals (7,000 and 6,000 yuan; promised 5,000).
        assert totals["placed"] == 2
        assert (totals["average_wage"], totals["promised_wage"]) == (6500, 5000)
        assert (totals["eligible_3"], totals["retained_3"]) == (2, 2)
        html = page.content.decode()
        assert 'id="chart-placements" type="application/json"' in html
        assert "<script>" not in html
        response = client.get(
            reverse("targets:employer_report_xlsx", kwargs={"key": employer_x.pk}),
            {"by": "month", "year": 2026},
        )
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert rows[1][:2] == ("3月", 2)

    def test_others_are_refused(
        self, client, hr_y, official_a, coordinator_longnan, employer_x, placements
    ):
        url = reverse("targets:employer", kwargs={"key": employer_x.pk})
        xlsx = reverse("targets:employer_report_xlsx", kwargs={"key": employer_x.pk})
        assert client.get(url).status_code == 302  # anonymous: sign in
        assert client.get(xlsx).status_code == 302
        client.force_login(hr_y)  # HR of another employer
        assert client.get(url).status_code == 404
        assert client.get(xlsx).status_code == 404
        for other in (official_a, coordinator_longnan):  # not viewers of company dashboards
            client.force_login(other)
            assert client.get(url).status_code == 403
            assert client.get(xlsx).status_code == 403


class TestCountryDashboard:
    def test_admin_sees_every_pairing(self, client, admin_user, pairing_qd_dx, placements):
        client.force_login(admin_user)
        landing = client.get(reverse("targets:dashboard"))
        assert landing.url == reverse("targets:all")
        page = client.get(landing.url, {"year": 2026})
        assert page.status_code == 200
        # Anding's three and Tongwei's one 2026 arrivals, whatever their pairing.
        assert page.context["progress"].totals["placed"] == 4
        html = page.content.decode()
        assert reverse("targets:pairing", kwargs={"key": pairing_qd_dx.pk}) in html
        assert 'data-chart="chart-funnel"' in html
        response = client.get(reverse("targets:all_report_xlsx"), {"by": "county", "year": 2026})
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert sorted(row[:2] for row in rows[1:]) == [("安定区", 3), ("通渭县", 1)]

    def test_others_are_refused(
        self, client, coordinator, official_a, hr_x, coordinator_longnan, placements
    ):
        url, xlsx = reverse("targets:all"), reverse("targets:all_report_xlsx")
        assert client.get(url).status_code == 302  # anonymous: sign in
        assert client.get(xlsx).status_code == 302
        for user in (coordinator, official_a, coordinator_longnan):
            client.force_login(user)
            assert client.get(url).status_code == 404
            assert client.get(xlsx).status_code == 404
        client.force_login(hr_x)
        assert client.get(url).status_code == 403
