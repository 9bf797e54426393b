"""Writes of jobs.services: the vacancy lifecycle, validation, employer profile and review."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jobs import services
from jobs.models import Vacancy, VacancyStatus, VerificationStatus
from jobs.services import VacancyData
from laborbridge.models import AuditEvent, Region
from tests.factories import EmployerFactory, VacancyFactory
from tests.jobs.conftest import draft

pytestmark = pytest.mark.django_db


def data(occupation, district, **fields) -> VacancyData:
    values = {
        "occupation": occupation,
        "title": "电子装配工",
        "headcount": 20,
        "wage_min": 5500,
        "wage_max": 7000,
        "district": district,
        "start_date": timezone.localdate() + dt.timedelta(days=60),
    }
    values.update(fields)
    return VacancyData(**values)


class TestLifecycle:
    @pytest.mark.parametrize(
        "path",
        [
            ["open", "paused", "open", "closed"],
            ["open", "filled", "open", "paused", "closed"],
            ["closed"],
        ],
    )
    def test_legal_paths(self, hr_x, employer_x, path):
        vacancy = draft(employer_x)
        for status in path:
            vacancy = services.vacancy_set_status(actor=hr_x, vacancy=vacancy, status=status)
            assert Vacancy.objects.get(pk=vacancy.pk).status == status

    @pytest.mark.parametrize(
        "start,target,label_from,label_to",
        [
            ("draft", "paused", "草稿", "暂停"),
            ("draft", "filled", "草稿", "已招满"),
            ("paused", "filled", "暂停", "已招满"),
            ("closed", "open", "已关闭", "招聘中"),
            ("closed", "draft", "已关闭", "草稿"),
            ("open", "draft", "招聘中", "草稿"),
        ],
    )
    def test_illegal_moves_are_refused_with_a_clear_chinese_message(
        self, hr_x, employer_x, start, target, label_from, label_to
    ):
        vacancy = VacancyFactory(employer=employer_x, status=start)
        with pytest.raises(ValidationError) as caught:
            services.vacancy_set_status(actor=hr_x, vacancy=vacancy, status=target)
        assert caught.value.messages == [f"岗位状态不能从“{label_from}”变为“{label_to}”。"]
        assert Vacancy.objects.get(pk=vacancy.pk).status == start

    def test_moves_are_audited_and_publishing_stamps_the_time(self, hr_x, employer_x):
        vacancy = draft(employer_x)
        assert vacancy.published_at is None
        vacancy = services.vacancy_publish(actor=hr_x, vacancy=vacancy)
        assert vacancy.published_at is not None
        first = vacancy.published_at
        services.vacancy_pause(actor=hr_x, vacancy=vacancy)
        vacancy = services.vacancy_publish(actor=hr_x, vacancy=vacancy)
        assert vacancy.published_at == first  # re-opening keeps the first publication
        events = AuditEvent.objects.filter(action="vacancy.status", target_id=str(vacancy.pk))
        assert [e.changes["status"] for e in events.order_by("id")] == [
            ["draft", "open"],
            ["open", "paused"],
            ["paused", "open"],
        ]
        assert {e.actor_id for e in events} == {hr_x.pk}

    def test_a_full_vacancy_cannot_be_reopened_until_headcount_grows(self, hr_x, employer_x):
        vacancy = VacancyFactory(
            employer=employer_x, status=VacancyStatus.FILLED, headcount=2, filled_count=2
        )
        with pytest.raises(ValidationError, match="已全部录用"):
            services.vacancy_publish(actor=hr_x, vacancy=vacancy)
        vacancy = services.vacancy_update(
            actor=hr_x, vacancy=vacancy, data=VacancyData.of(vacancy, headcount=5)
        )
        assert vacancy.status == VacancyStatus.OPEN  # places again: open by itself

    def test_setting_the_same_status_is_harmless(self, hr_x, vacancy_x):
        services.vacancy_set_status(actor=hr_x, vacancy=vacancy_x, status="open")
        assert not AuditEvent.objects.filter(action="vacancy.status").exists()

    def test_other_employers_hr_and_officials_cannot_move_it(self, hr_y, official_a, vacancy_x):
        for actor in (hr_y, official_a):
            with pytest.raises(PermissionDenied):
                services.vacancy_close(actor=actor, vacancy=vacancy_x)
        assert Vacancy.objects.get(pk=vacancy_x.pk).status == "open"


class TestCreateAndUpdate:
    def test_hr_creates_a_draft_with_requirements_and_benefits(
        self, hr_x, employer_x, occupation, forklift_certificate, campaign
    ):
        vacancy = services.vacancy_create(
            actor=hr_x,
            employer=employer_x,
            data=data(
                occupation,
                employer_x.district,
                required_certificates=(forklift_certificate,),
                min_skill_level=2,
                min_education=2,
                age_min=18,
                age_max=45,
                dormitory=True,
                meals=True,
                physical_requirements="能适应长时间站立作业",
                campaign=campaign,
            ),
        )
        assert vacancy.status == VacancyStatus.DRAFT
        assert list(vacancy.required_certificates.all()) == [forklift_certificate]
        assert vacancy.headcount_remaining == 20
        assert AuditEvent.objects.filter(action="vacancy.create", actor=hr_x).count() == 1

    def test_create_and_publish_at_once(self, hr_x, employer_x, occupation):
        vacancy = services.vacancy_create(
            actor=hr_x,
            employer=employer_x,
            data=data(occupation, employer_x.district),
            publish=True,
        )
        assert vacancy.status == VacancyStatus.OPEN

    @pytest.mark.parametrize(
        "fields,field,message",
        [
            ({"wage_min": 7000, "wage_max": 5000}, "wage_max", "月薪上限不能低于下限"),
            ({"wage_max": 700000}, "wage_max", "多写了 0"),
            ({"age_min": 15}, "age_min", "不能小于 16"),
            ({"age_min": 40, "age_max": 30}, "age_max", "不能低于最低年龄"),
            ({"age_max": 70}, "age_max", "不能大于 65"),
            ({"title": "  "}, "title", "请填写岗位名称"),
            ({"contract_months": 0}, "contract_months", "1 至 120"),
        ],
    )
    def test_invalid_data_names_the_field(
        self, hr_x, employer_x, occupation, fields, field, message
    ):
        with pytest.raises(ValidationError) as caught:
            services.vacancy_create(
                actor=hr_x,
                employer=employer_x,
                data=data(occupation, employer_x.district, **fields),
            )
        assert message in " ".join(caught.value.message_dict[field])

    def test_workplace_must_be_a_county_level_district(self, hr_x, employer_x, occupation):
        with pytest.raises(ValidationError) as caught:
            services.vacancy_create(
                actor=hr_x,
                employer=employer_x,
                data=data(occupation, Region.objects.get(pk="370200")),
            )
        assert "district" in caught.value.message_dict

    def test_campaign_of_another_region_is_refused(self, hr_x, employer_x, occupation):
        from laborbridge.models import Campaign

        jinan = Campaign.objects.get(code="2026-chunfeng-linxia-jinan-shizhong")
        with pytest.raises(ValidationError) as caught:
            services.vacancy_create(
                actor=hr_x,
                employer=employer_x,
                data=data(occupation, employer_x.district, campaign=jinan),
            )
        assert "不接收本企业所在地区" in caught.value.message_dict["campaign"][0]

    @pytest.mark.parametrize(
        "field,text",
        [
            ("title", "普工（限男性）"),
            ("description", "女工优先，包吃住"),
            ("description", "只招男工"),
            ("physical_requirements", "不招少数民族"),
            ("description", "限本地户口"),
            ("description", "不要新疆籍"),
            ("benefits_note", "汉族优先"),
        ],
    )
    def test_discriminatory_conditions_are_refused(self, hr_x, employer_x, occupation, field, text):
        with pytest.raises(ValidationError) as caught:
            services.vacancy_create(
                actor=hr_x,
                employer=employer_x,
                data=data(occupation, employer_x.district, **{field: text}),
            )
        assert "歧视性条件" in caught.value.message_dict[field][0]

    @pytest.mark.parametrize(
        "text", ["男女不限", "食堂设清真窗口", "夫妻可安排同一宿舍", "户籍不限，欢迎各地求职者"]
    )
    def test_ordinary_wording_passes(self, hr_x, employer_x, occupation, text):
        assert services.vacancy_discriminatory_phrase(text) is None
        services.vacancy_create(
            actor=hr_x,
            employer=employer_x,
            data=data(occupation, employer_x.district, description=text),
        )

    def test_headcount_cannot_drop_below_those_already_hired(self, hr_x, employer_x):
        vacancy = VacancyFactory(employer=employer_x, headcount=10, filled_count=6)
        with pytest.raises(ValidationError) as caught:
            services.vacancy_update(
                actor=hr_x, vacancy=vacancy, data=VacancyData.of(vacancy, headcount=5)
            )
        assert "已有 6 人录用" in caught.value.message_dict["headcount"][0]

    def test_lowering_headcount_to_those_hired_marks_it_filled(self, hr_x, employer_x):
        vacancy = VacancyFactory(employer=employer_x, headcount=10, filled_count=6)
        vacancy = services.vacancy_update(
            actor=hr_x, vacancy=vacancy, data=VacancyData.of(vacancy, headcount=6)
        )
        assert vacancy.status == VacancyStatus.FILLED and vacancy.headcount_remaining == 0

    def test_update_records_what_changed(self, hr_x, vacancy_x):
        services.vacancy_update(
            actor=hr_x, vacancy=vacancy_x, data=VacancyData.of(vacancy_x, wage_max=8000)
        )
        event = AuditEvent.objects.get(action="vacancy.update")
        assert event.changes == {"wage_max": [6500, 8000]}

    def test_closed_vacancies_are_read_only(self, hr_x, employer_x):
        vacancy = VacancyFactory(employer=employer_x, status=VacancyStatus.CLOSED)
        with pytest.raises(ValidationError, match="岗位已关闭"):
            services.vacancy_update(
                actor=hr_x, vacancy=vacancy, data=VacancyData.of(vacancy, headcount=3)
            )

    def test_officials_and_other_hr_cannot_create_or_update(
        self, official_a, hr_y, employer_x, vacancy_x, occupation
    ):
        for actor in (official_a, hr_y):
            with pytest.raises(PermissionDenied):
                services.vacancy_create(
                    actor=actor, employer=employer_x, data=data(occupation, employer_x.district)
                )
            with pytest.raises(PermissionDenied):
                services.vacancy_update(
                    actor=actor, vacancy=vacancy_x, data=VacancyData.of(vacancy_x, headcount=3)
                )


class TestEmployer:
    def test_profile_update_normalises_and_validates_the_credit_code(self, hr_x, employer_x):
        code = employer_x.credit_code
        messy = " " + code.lower()[:9] + "　" + code.lower()[9:]  # full-width space, lower case
        employer = services.employer_update(actor=hr_x, employer=employer_x, credit_code=messy)
        assert employer.credit_code == code
        with pytest.raises(ValidationError) as caught:
            services.employer_update(
                actor=hr_x,
                employer=employer_x,
                credit_code=code[:-1] + ("0" if code[-1] != "0" else "1"),
            )
        assert "校验位不正确" in caught.value.message_dict["credit_code"][0]

    def test_credit_code_of_another_employer_is_named(self, hr_x, employer_x, employer_y):
        with pytest.raises(ValidationError) as caught:
            services.employer_update(
                actor=hr_x, employer=employer_x, credit_code=employer_y.credit_code
            )
        assert employer_y.name in caught.value.message_dict["credit_code"][0]

    def test_district_must_lie_in_the_city(self, hr_x, employer_x):
        with pytest.raises(ValidationError) as caught:
            services.employer_update(
                actor=hr_x, employer=employer_x, district=Region.objects.get(pk="370102")
            )
        assert "不属于" in caught.value.message_dict["district"][0]

    def test_changing_the_legal_name_of_a_verified_employer_asks_for_review_again(
        self, hr_x, employer_x
    ):
        employer = services.employer_update(actor=hr_x, employer=employer_x, has_dormitory=True)
        assert employer.verification_status == VerificationStatus.VERIFIED
        employer = services.employer_update(
            actor=hr_x, employer=employer_x, name="青岛X电子股份有限公司"
        )
        assert employer.verification_status == VerificationStatus.PENDING

    def test_a_rejected_employer_resubmits_by_saving(self, hr_x, coordinator, employer_x):
        services.employer_verify(
            actor=coordinator, employer=employer_x, approve=False, reason="营业执照名称不符"
        )
        employer = services.employer_update(actor=hr_x, employer=employer_x)
        assert employer.verification_status == VerificationStatus.PENDING

    def test_coordinator_verifies_and_rejects_with_a_reason(self, coordinator, employer_x):
        employer_x.verification_status = VerificationStatus.PENDING
        employer_x.save()
        with pytest.raises(ValidationError):
            services.employer_verify(actor=coordinator, employer=employer_x, approve=False)
        employer = services.employer_verify(actor=coordinator, employer=employer_x, approve=True)
        assert employer.verification_status == VerificationStatus.VERIFIED
        assert employer.verified_at is not None
        employer = services.employer_verify(
            actor=coordinator, employer=employer_x, approve=False, reason="信用代码已注销"
        )
        assert employer.rejection_reason == "信用代码已注销" and employer.verified_at is None
        assert AuditEvent.objects.filter(action="employer.verify").count() == 2

    def test_only_coordinators_of_the_pairing_and_admins_verify(self, hr_x, official_a, employer_x):
        from laborbridge.models import Pairing, Role
        from tests.factories import make_user

        jinan = make_user(
            "coordinator_jinan",
            Role.COORDINATOR,
            pairing=Pairing.objects.get(code="jinan-shizhong-linxia-city"),
        )
        for actor in (hr_x, official_a, jinan):
            with pytest.raises(PermissionDenied):
                services.employer_verify(actor=actor, employer=employer_x, approve=True)

    def test_coordinator_registers_employers_of_their_region_only(self, coordinator):
        from tests.factories import make_credit_code

        employer = services.employer_create(
            actor=coordinator,
            name="青岛新厂有限公司",
            credit_code=make_credit_code("370214"),
            city=Region.objects.get(pk="370200"),
            district=Region.objects.get(pk="370214"),
            industry="C",
        )
        assert employer.verification_status == VerificationStatus.PENDING
        with pytest.raises(PermissionDenied):
            services.employer_create(
                actor=coordinator,
                name="济南某厂",
                credit_code=make_credit_code("370102"),
                city=Region.objects.get(pk="370100"),
                district=Region.objects.get(pk="370102"),
                industry="C",
            )

    def test_hr_cannot_touch_another_employer(self, hr_y, employer_x):
        with pytest.raises(PermissionDenied):
            services.employer_update(actor=hr_y, employer=employer_x, name="改名")
        assert EmployerFactory._meta.model.objects.get(pk=employer_x.pk).name == "青岛X电子有限公司"
