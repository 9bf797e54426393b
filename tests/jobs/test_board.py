"""The public campaign job board: what it shows, to whom, how it filters and caches."""

import pytest
from django.test import override_settings
from django.urls import reverse

from jobs import services
from jobs.models import Employer, VacancyStatus, VerificationStatus
from laborbridge.models import Campaign, Occupation, Role
from tests.factories import EmployerFactory, VacancyFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_url(campaign):
    return reverse("jobs_public:board", args=[campaign.code])


class TestWhatIsShown:
    def test_only_open_vacancies_with_places_of_verified_employers_of_the_campaign(
        self, client, campaign, board_url, employer_x
    ):
        shown = VacancyFactory(employer=employer_x, campaign=campaign, title="公开岗位")
        for status in ("draft", "paused", "closed", "filled"):
            VacancyFactory(
                employer=employer_x, campaign=campaign, status=status, title=f"{status}岗"
            )
        VacancyFactory(
            employer=employer_x, campaign=campaign, headcount=2, filled_count=2, title="满员岗"
        )
        for verification in (VerificationStatus.PENDING, VerificationStatus.REJECTED):
            employer = EmployerFactory(district_id="370214", verification_status=verification)
            VacancyFactory(employer=employer, campaign=campaign, title=f"{verification}企业岗")
        other = Campaign.objects.exclude(pk=campaign.pk).first()
        VacancyFactory(employer=employer_x, campaign=other, title="别的行动岗")
        VacancyFactory(employer=employer_x, campaign=None, title="无行动岗")

        response = client.get(board_url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "公开岗位" in body
        for hidden in (
            "draft岗",
            "paused岗",
            "closed岗",
            "filled岗",
            "满员岗",
            "pending企业岗",
            "rejected企业岗",
            "别的行动岗",
            "无行动岗",
        ):
            assert hidden not in body, hidden
        detail = reverse("jobs_public:vacancy", args=[campaign.code, shown.pk])
        assert client.get(detail).status_code == 200

    def test_unverified_employer_vacancy_detail_is_404(self, client, campaign):
        employer = EmployerFactory(verification_status=VerificationStatus.PENDING)
        vacancy = VacancyFactory(employer=employer, campaign=campaign)
        url = reverse("jobs_public:vacancy", args=[campaign.code, vacancy.pk])
        assert client.get(url).status_code == 404

    def test_card_facts_and_nothing_about_hr_staff(self, client, campaign, board_url, employer_x):
        make_user(
            "hr_zhang",
            Role.EMPLOYER_HR,
            employer=employer_x,
            first_name="张人事",
            phone="13912345678",
            email="hr@example.com",
        )
        VacancyFactory(
            employer=employer_x,
            campaign=campaign,
            title="注塑工",
            headcount=30,
            filled_count=12,
            wage_min=6000,
            wage_max=7500,
            dormitory=True,
            meals=True,
            travel_reimbursement=True,
        )
        body = client.get(board_url).content.decode()
        assert "注塑工" in body and "6000–7500 元/月" in body and "城阳区" in body
        assert "包住宿" in body and "工作餐" in body and "报销路费" in body
        assert "2026-03-01 到岗" in body and '还招 <strong class="remaining">18</strong> 人' in body
        for secret in ("hr_zhang", "张人事", "13912345678", "hr@example.com", "hr_x"):
            assert secret not in body
        assert 'name="viewport"' in body

    def test_unknown_campaign_is_404(self, client):
        assert (
            client.get(reverse("jobs_public:board", args=["no-such-campaign"])).status_code == 404
        )


class TestFilters:
    def test_by_occupation_and_district(self, client, campaign, board_url, employer_x, employer_y):
        first, second = Occupation.objects.order_by("code")[:2]
        VacancyFactory(employer=employer_x, campaign=campaign, occupation=first, title="甲岗")
        VacancyFactory(employer=employer_y, campaign=campaign, occupation=second, title="乙岗")
        body = client.get(board_url, {"occupation": first.code}).content.decode()
        assert "甲岗" in body and "乙岗" not in body
        body = client.get(board_url, {"district": "370281"}).content.decode()
        assert "乙岗" in body and "甲岗" not in body
        body = client.get(board_url, {"district": "999999", "sort": "bogus"}).content.decode()
        assert "甲岗" in body and "乙岗" in body  # unknown values are ignored

    def test_sort_by_wage(self, client, campaign, board_url, employer_x):
        VacancyFactory(employer=employer_x, campaign=campaign, title="低薪", wage_max=5000)
        VacancyFactory(employer=employer_x, campaign=campaign, title="高薪", wage_max=9000)
        body = client.get(board_url, {"sort": "wage"}).content.decode()
        assert body.index("高薪") < body.index("低薪")


class TestCache:
    def test_warm_board_costs_one_query(
        self, client, campaign, board_url, employer_x, django_assert_max_num_queries
    ):
        VacancyFactory.create_batch(5, employer=employer_x, campaign=campaign)
        client.get(board_url)
        with django_assert_max_num_queries(1):  # the campaign itself
            response = client.get(board_url)
        assert response.content.decode().count('class="job"') == 5

    def test_hr_and_coordinator_changes_show_at_once(
        self,
        client,
        campaign,
        board_url,
        hr_x,
        coordinator,
        employer_x,
        django_capture_on_commit_callbacks,
    ):
        vacancy = VacancyFactory(employer=employer_x, campaign=campaign, title="即时岗")
        assert "即时岗" in client.get(board_url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            services.vacancy_pause(actor=hr_x, vacancy=vacancy)
        assert "即时岗" not in client.get(board_url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            services.vacancy_publish(actor=hr_x, vacancy=vacancy)
            services.employer_verify(
                actor=coordinator, employer=employer_x, approve=False, reason="执照过期"
            )
        assert "即时岗" not in client.get(board_url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            services.employer_verify(actor=coordinator, employer=employer_x, approve=True)
        assert "即时岗" in client.get(board_url).content.decode()

    def test_each_language_has_its_own_cached_page(self, client, campaign, board_url, employer_x):
        VacancyFactory(employer=employer_x, campaign=campaign)
        assert "还招" in client.get(board_url).content.decode()
        client.cookies["django_language"] = "en"
        assert 'lang="en"' in client.get(board_url).content.decode()


class TestSignupLink:
    @override_settings(ROOT_URLCONF="tests.jobs.urls_without_signup")
    def test_no_link_while_the_signup_page_does_not_exist(self, client, board_url):
        body = client.get(board_url).content.decode()
        assert "我要报名" not in body

    @override_settings(ROOT_URLCONF="tests.jobs.urls_with_signup")
    def test_link_once_it_exists(self, client, campaign, board_url):
        body = client.get(board_url).content.decode()
        assert f'href="/c/{campaign.code}/signup/"' in body


class TestApi:
    def test_anonymous_reads_the_board(self, client, campaign, employer_x):
        VacancyFactory(employer=employer_x, campaign=campaign, title="接口岗")
        pending = EmployerFactory(verification_status=VerificationStatus.PENDING)
        VacancyFactory(employer=pending, campaign=campaign, title="未认证岗")
        response = client.get(f"/api/v1/board/{campaign.code}/vacancies/")
        assert response.status_code == 200
        results = response.json()["results"]
        assert [r["title"] for r in results] == ["接口岗"]
        assert results[0]["headcount_remaining"] == 10
        assert set(results[0]) >= {"occupation", "wage_min", "district", "start_date", "dormitory"}
        assert "hr" not in " ".join(results[0])

    def test_warm_api_page_costs_one_query_and_follows_changes(
        self,
        client,
        campaign,
        employer_x,
        hr_x,
        django_assert_max_num_queries,
        django_capture_on_commit_callbacks,
    ):
        vacancy = VacancyFactory(employer=employer_x, campaign=campaign)
        url = f"/api/v1/board/{campaign.code}/vacancies/"
        client.get(url)
        with django_assert_max_num_queries(1):
            assert client.get(url).json()["count"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            services.vacancy_close(actor=hr_x, vacancy=vacancy)
        assert client.get(url).json()["count"] == 0

    def test_filters_and_write_methods_refused(self, client, campaign, employer_x):
        VacancyFactory(employer=employer_x, campaign=campaign)
        url = f"/api/v1/board/{campaign.code}/vacancies/"
        assert client.get(url, {"district": "370281"}).json()["count"] == 0
        assert client.post(url, {}).status_code == 405


def test_closing_from_status_filled_keeps_it_off_the_board(client, campaign, board_url, employer_x):
    VacancyFactory(employer=employer_x, campaign=campaign, status=VacancyStatus.FILLED, title="满")
    Employer.objects.filter(pk=employer_x.pk).update(verification_status="verified")
    assert "满</a>" not in client.get(board_url).content.decode()
