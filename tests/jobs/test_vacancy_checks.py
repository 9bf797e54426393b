"""New vacancies refuse a past start date, a wage below the workplace's legal minimum and
sex-, region- or age-restricting wording — in the service, the page, the API and the import."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jobs import services
from jobs.models import PayType, Vacancy
from jobs.services import VacancyData
from laborbridge.imports.models import ImportJob
from laborbridge.minimum_wage import minimum_wage_for, monthly_floor
from laborbridge.models import MinimumWage, Region
from laborbridge.reference import DATA_DIR, reference_load
from tests.factories import VacancyFactory
from tests.jobs.test_import import HEADER, celery_eager, run, xlsx  # noqa: F401

pytestmark = pytest.mark.django_db

HUANGDAO, JIAOZHOU, LANZHOU_CHENGGUAN, ANDING = "370211", "370281", "620102", "621102"


def soon(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def data(occupation, district, **fields) -> VacancyData:
    values = {
        "occupation": occupation,
        "title": "电子装配工",
        "headcount": 5,
        "wage_min": 5000,
        "wage_max": 6500,
        "district": district,
        "start_date": soon(),
    }
    values.update(fields)
    return VacancyData(**values)


def refusal(hr, employer, occupation, **fields) -> dict[str, list[str]]:
    district = fields.pop("district", employer.district)
    with pytest.raises(ValidationError) as caught:
        services.vacancy_create(
            actor=hr, employer=employer, data=data(occupation, district, **fields)
        )
    return caught.value.message_dict


class TestMinimumWageTable:
    def test_shandong_tiers_with_source_and_date(self):
        huangdao = minimum_wage_for(district=HUANGDAO, on=soon())
        assert (huangdao.monthly, huangdao.hourly, huangdao.tier) == (2200, 22, "第一档")
        assert "鲁政字" in huangdao.source and huangdao.effective_from == dt.date(2025, 10, 1)
        # A district whose tier is not listed falls to the province's lowest tier.
        jiaozhou = minimum_wage_for(district=JIAOZHOU, on=soon())
        assert (jiaozhou.monthly, jiaozhou.region_id) == (1800, "370000")

    def test_gansu_city_row_beats_the_province_floor(self):
        assert minimum_wage_for(district=LANZHOU_CHENGGUAN, on=soon()).monthly == 2020
        assert minimum_wage_for(district=ANDING, on=soon()).monthly == 1850

    def test_a_standard_applies_from_its_date_only(self):
        assert minimum_wage_for(district=HUANGDAO, on=dt.date(2025, 9, 30)) is None
        assert minimum_wage_for(district="110101", on=soon()) is None  # Beijing: not listed

    def test_hourly_pay_is_held_to_the_hourly_minimum_over_a_legal_month(self):
        standard = minimum_wage_for(district=HUANGDAO, on=soon())
        assert monthly_floor(standard, hourly_paid=False) == 2200
        assert monthly_floor(standard, hourly_paid=True) == 22 * 174

    def test_every_row_names_its_source_and_loading_twice_adds_nothing(self):
        standards = json.loads((DATA_DIR / "minimum_wages.json").read_text(encoding="utf-8"))
        assert {s["province_code"] for s in standards} >= {"370000", "620000"}
        assert all(s["source"] and s["effective_from"] for s in standards)
        before = MinimumWage.objects.count()
        reference_load()
        assert MinimumWage.objects.count() == before > 0


class TestService:
    def test_start_date_in_the_past_is_refused_today_is_fine(self, hr_x, employer_x, occupation):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        errors = refusal(hr_x, employer_x, occupation, start_date=yesterday)
        assert f"到岗日期 {yesterday.isoformat()} 已经过去" in errors["start_date"][0]
        services.vacancy_create(
            actor=hr_x,
            employer=employer_x,
            data=data(occupation, employer_x.district, start_date=timezone.localdate()),
        )

    def test_an_old_vacancy_can_be_edited_but_not_moved_into_the_past(self, hr_x, employer_x):
        old = VacancyFactory(employer=employer_x, start_date=dt.date(2026, 3, 1))
        services.vacancy_update(
            actor=hr_x, vacancy=old, data=VacancyData.of(old, headcount=old.headcount + 1)
        )
        with pytest.raises(ValidationError) as caught:
            services.vacancy_update(
                actor=hr_x, vacancy=old, data=VacancyData.of(old, start_date=dt.date(2026, 2, 1))
            )
        assert "已经过去" in caught.value.message_dict["start_date"][0]

    def test_wage_below_the_workplace_minimum_names_the_standard(
        self, hr_x, employer_x, occupation
    ):
        errors = refusal(hr_x, employer_x, occupation, wage_min=2100, wage_max=2500)
        message = errors["wage_min"][0]
        assert "2100 元低于" in message and "2200 元/月" in message and "第一档" in message
        assert "青岛市" in message and "2025-10-01" in message

    def test_same_wage_is_legal_where_the_minimum_is_lower(self, hr_x, employer_x, occupation):
        jiaozhou = Region.objects.get(pk=JIAOZHOU)
        vacancy = services.vacancy_create(
            actor=hr_x,
            employer=employer_x,
            data=data(occupation, jiaozhou, wage_min=2100, wage_max=2500),
        )
        assert vacancy.wage_min == 2100

    def test_hourly_rate_is_checked(self, hr_x, employer_x, occupation):
        errors = refusal(
            hr_x, employer_x, occupation, pay_type=PayType.HOURLY, wage_min=3000, wage_max=4000
        )
        assert "小时最低工资 22 元" in errors["wage_min"][0]
        assert "3828" in errors["wage_min"][0]
        services.vacancy_create(
            actor=hr_x,
            employer=employer_x,
            data=data(
                occupation,
                employer_x.district,
                pay_type=PayType.HOURLY,
                wage_min=3900,
                wage_max=4500,
            ),
        )


class TestWording:
    @pytest.mark.parametrize(
        "field,text,phrase",
        [
            ("title", "包装女工", "女工"),
            ("title", "男工（搬运）", "男工"),
            ("description", "Male only, dormitory provided", "Male only"),
            ("description", "female ONLY", "female ONLY"),
            ("description", "only women", "only women"),
            ("description", "不要河南人", "不要河南人"),
            ("description", "限甘肃省人", "限甘肃省人"),
            ("description", "外地人勿扰", "外地人勿扰"),
            ("physical_requirements", "35岁以下，身体健康", "35岁以下"),
            ("description", "年龄不超过45岁", "年龄不超过45"),
            ("benefits_note", "限 40 周岁", "限 40 周岁"),
            ("working_hours", "18-35周岁", "18-35周岁"),
        ],
    )
    def test_refused_with_the_word_named(self, hr_x, employer_x, occupation, field, text, phrase):
        errors = refusal(hr_x, employer_x, occupation, **{field: text})
        assert f"含有“{phrase}”" in errors[field][0]
        assert "歧视性条件" in errors[field][0]

    @pytest.mark.parametrize(
        "field,text",
        [
            ("description", "男女工均可，夫妻可同住"),
            ("description", "年满18周岁以上"),
            ("description", "年满16周岁"),
            ("title", "女装缝纫工"),
            ("description", "欢迎甘肃、河南等各地求职者"),
            ("description", "Men and women welcome"),
        ],
    )
    def test_ordinary_wording_passes(self, hr_x, employer_x, occupation, field, text):
        services.vacancy_create(
            actor=hr_x,
            employer=employer_x,
            data=data(occupation, employer_x.district, **{field: text}),
        )


def form(occupation, **fields) -> dict:
    values = {
        "occupation": occupation.pk,
        "title": "注塑工",
        "headcount": "12",
        "wage_min": "5500",
        "wage_max": "7500",
        "pay_type": "monthly",
        "district": HUANGDAO,
        "shift_pattern": "day",
        "start_date": soon().isoformat(),
        "contract_months": "12",
        "age_min": "18",
        "age_max": "50",
        "min_skill_level": "0",
        "min_education": "0",
        "social_insurance": "on",
        "campaign": "",
    }
    values.update(fields)
    return values


class TestPage:
    def test_form_shows_each_check_on_its_field(self, client, hr_x, occupation):
        client.force_login(hr_x)
        response = client.post(
            reverse("jobs:vacancy_create"),
            form(occupation, start_date="2026-01-05", wage_min="1900", title="包装女工"),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "已经过去" in errors["start_date"][0]
        assert "最低工资标准 2200 元/月" in errors["wage_min"][0]
        assert "含有“女工”" in errors["title"][0]
        assert not Vacancy.objects.filter(employer=hr_x.employer).exists()

    def test_a_valid_form_is_saved(self, client, hr_x, occupation):
        client.force_login(hr_x)
        response = client.post(reverse("jobs:vacancy_create"), form(occupation))
        assert response.status_code == 302
        assert Vacancy.objects.filter(employer=hr_x.employer, title="注塑工").exists()

    def test_other_roles_cannot_reach_the_form(self, client, official_a, coordinator, occupation):
        for user in (official_a, coordinator):
            client.force_login(user)
            response = client.post(reverse("jobs:vacancy_create"), form(occupation))
            assert response.status_code == 403
        client.logout()
        response = client.post(reverse("jobs:vacancy_create"), form(occupation))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not Vacancy.objects.exists()


class TestApi:
    def payload(self, occupation, **fields) -> dict:
        values = {
            "occupation": occupation.code,
            "title": "叉车司机",
            "headcount": 5,
            "wage_min": 6000,
            "wage_max": 8000,
            "start_date": soon().isoformat(),
        }
        values.update(fields)
        return values

    def test_refusals_come_back_by_field(self, client, hr_x, occupation):
        client.force_login(hr_x)
        response = client.post(
            "/api/v1/vacancies/",
            self.payload(
                occupation, start_date="2026-01-05", wage_min=1500, description="female only"
            ),
            content_type="application/json",
        )
        assert response.status_code == 400, response.content
        body = json.dumps(response.json(), ensure_ascii=False)
        assert "已经过去" in body and "最低工资标准" in body and "female only" in body
        assert not Vacancy.objects.exists()

    def test_patch_into_the_past_is_refused(self, client, hr_x, vacancy_x):
        client.force_login(hr_x)
        response = client.patch(
            f"/api/v1/vacancies/{vacancy_x.pk}/",
            {"start_date": "2026-01-05"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "已经过去" in json.dumps(response.json(), ensure_ascii=False)

    def test_anonymous_and_other_roles_are_refused(self, client, official_a, occupation):
        response = client.post(
            "/api/v1/vacancies/", self.payload(occupation), content_type="application/json"
        )
        assert response.status_code in (401, 403)
        client.force_login(official_a)
        response = client.post(
            "/api/v1/vacancies/", self.payload(occupation), content_type="application/json"
        )
        assert response.status_code in (400, 403)
        assert not Vacancy.objects.exists()


class TestImport:
    def test_rows_name_the_column_and_the_reason(
        self, django_capture_on_commit_callbacks, hr_x, occupation
    ):
        future = soon().isoformat()
        rows = [
            HEADER,
            ["", "普工", occupation.name_zh, 5, 5000, 6000, "", "2026-01-05", "", "", "", ""],
            ["", "普工二", occupation.name_zh, 5, 1500, 2000, "", future, "", "", "", ""],
            ["", "包装女工", occupation.name_zh, 5, 5000, 6000, "", future, "", "", "", ""],
            ["", "普工三", occupation.name_zh, 5, 5000, 6000, "", future, "", "", "", ""],
        ]
        job = run(django_capture_on_commit_callbacks, hr_x, xlsx(rows))
        assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
        errors = {(e["row"], e["column"]): e["message"] for e in job.errors}
        assert "已经过去" in errors[(2, "到岗日期")]
        assert "最低工资标准 2200 元/月" in errors[(3, "月薪下限")]
        assert "含有“女工”" in errors[(4, "职位名称")]
        assert job.counts["created"] == 1 and job.counts["rejected"] == 3
