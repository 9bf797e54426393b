"""HR pages, coordinators' review page and the scoping of every jobs page."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Employer, Vacancy, VacancyStatus, VerificationStatus
from matching.models import Decision, Match, MatchStatus
from tests.factories import VacancyFactory, make_credit_code
from tests.jobs.conftest import offer

pytestmark = pytest.mark.django_db


class _FormParser(HTMLParser):
    """Collect each <form>: its action and its inputs and buttons in tree order."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.current = {"action": attributes.get("action", ""), "fields": []}
            self.forms.append(self.current)
        elif tag in ("input", "button") and self.current is not None:
            self.current["fields"].append({"tag": tag, **attributes})

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def _forms(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def vacancy_form(occupation, **fields):
    data = {
        "occupation": occupation.pk,
        "title": "注塑工",
        "description": "",
        "headcount": "12",
        "wage_min": "5500",
        "wage_max": "7500",
        "pay_type": "monthly",
        "district": "370214",
        "address": "城阳区工业园 8 号",
        "shift_pattern": "two_shifts",
        "working_hours": "每天 10 小时",
        "start_date": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "contract_months": "12",
        "age_min": "18",
        "age_max": "50",
        "min_skill_level": "0",
        "min_education": "0",
        "physical_requirements": "",
        "dormitory": "on",
        "social_insurance": "on",
        "benefits_note": "",
        "campaign": "",
    }
    data.update(fields)
    return data


class TestAnonymous:
    @pytest.mark.parametrize(
        "name,args",
        [
            ("jobs:dashboard", []),
            ("jobs:vacancy_list", []),
            ("jobs:vacancy_create", []),
            ("jobs:vacancy_export", []),
            ("jobs:vacancy_detail", ["VX"]),
            ("jobs:vacancy_edit", ["VX"]),
            ("matching:vacancy_candidates", ["VX"]),
            ("matching:candidates", []),
            ("jobs:employer_profile", []),
            ("jobs:district_options", []),
            ("jobs:employer_list", []),
            ("jobs:employer_detail", ["EX"]),
            ("jobs:import", []),
            ("jobs:import_template", []),
        ],
    )
    def test_every_page_sends_anonymous_to_login(self, client, vacancy_x, name, args):
        args = [vacancy_x.pk if a == "VX" else vacancy_x.employer_id for a in args]
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize(
        "name,arg",
        [
            ("jobs:vacancy_transition", "VX"),
            ("matching:candidate_decide", "MX"),
            ("jobs:employer_verify", "EX"),
        ],
    )
    def test_every_post_refuses_anonymous(self, client, candidate_x, vacancy_x, name, arg):
        pk = {"VX": vacancy_x.pk, "MX": candidate_x.pk, "EX": vacancy_x.employer_id}[arg]
        response = client.post(reverse(name, args=[pk]), {"status": "closed"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert Vacancy.objects.get(pk=vacancy_x.pk).status == "open"


class TestHrScope:
    def test_hr_y_cannot_see_or_edit_employer_x_vacancies_or_candidates(
        self, client, hr_y, vacancy_x, candidate_x
    ):
        client.force_login(hr_y)
        assert "X 电子装配工" not in client.get(reverse("jobs:vacancy_list")).content.decode()
        for name in ("jobs:vacancy_detail", "jobs:vacancy_edit", "matching:vacancy_candidates"):
            assert client.get(reverse(name, args=[vacancy_x.pk])).status_code == 404
        response = client.post(
            reverse("jobs:vacancy_transition", args=[vacancy_x.pk]), {"status": "closed"}
        )
        assert response.status_code == 404
        response = client.post(
            reverse("jobs:vacancy_edit", args=[vacancy_x.pk]), {"title": "hijack"}
        )
        assert response.status_code == 404
        response = client.post(
            reverse("matching:candidate_decide", args=[candidate_x.pk]),
            {"decision": "decline", "reason": "x"},
        )
        assert response.status_code == 404
        assert "王" not in client.get(reverse("matching:candidates") + "?show=all").content.decode()
        vacancy_x.refresh_from_db()
        candidate_x.refresh_from_db()
        assert vacancy_x.status == "open" and vacancy_x.title == "X 电子装配工"
        assert candidate_x.employer_decision == Decision.PENDING

    def test_hr_does_not_reach_the_employer_list_of_others(self, client, hr_y, employer_x):
        client.force_login(hr_y)
        body = client.get(reverse("jobs:employer_list")).content.decode()
        assert employer_x.name not in body
        assert client.get(reverse("jobs:employer_detail", args=[employer_x.pk])).status_code == 404
        response = client.post(
            reverse("jobs:employer_verify", args=[employer_x.pk]), {"decision": "verified"}
        )
        assert response.status_code == 404


class TestOfficial:
    def test_official_reads_but_cannot_edit_vacancies(self, client, official_a, vacancy_x):
        client.force_login(official_a)
        body = client.get(reverse("jobs:vacancy_detail", args=[vacancy_x.pk])).content.decode()
        assert "X 电子装配工" in body and "编辑" not in body
        assert client.get(reverse("jobs:vacancy_edit", args=[vacancy_x.pk])).status_code == 403
        assert client.get(reverse("jobs:vacancy_create")).status_code == 403
        response = client.post(
            reverse("jobs:vacancy_transition", args=[vacancy_x.pk]), {"status": "closed"}
        )
        assert response.status_code == 403
        assert Vacancy.objects.get(pk=vacancy_x.pk).status == "open"


class TestHrJourney:
    @pytest.mark.parametrize(
        "target", ["//evil.example/", "/\\evil.example/", "http://evil.example/"]
    )
    def test_a_status_change_does_not_redirect_off_site(self, client, hr_x, vacancy_x, target):
        client.force_login(hr_x)
        response = client.post(
            reverse("jobs:vacancy_transition", args=[vacancy_x.pk]),
            {"status": "closed", "next": target},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("jobs:vacancy_detail", args=[vacancy_x.pk])

    def test_dashboard_shows_filled_and_remaining_and_who_waits(
        self, client, hr_x, vacancy_x, candidate_x
    ):
        Vacancy.objects.filter(pk=vacancy_x.pk).update(headcount=10, filled_count=3)
        client.force_login(hr_x)
        response = client.get(reverse("jobs:dashboard"))
        body = response.content.decode()
        assert response.status_code == 200
        assert "X 电子装配工" in body
        live = response.context["data"]["live_vacancies"]
        assert [(v.headcount, v.filled_count, v.headcount_remaining) for v in live] == [(10, 3, 7)]
        assert response.context["data"]["awaiting_count"] == 1
        assert "王**" in body and "王小明" not in body

    def test_create_save_draft_then_publish(self, client, hr_x, occupation):
        client.force_login(hr_x)
        response = client.post(reverse("jobs:vacancy_create"), vacancy_form(occupation))
        vacancy = Vacancy.objects.get(title="注塑工")
        assert response.status_code == 302
        assert vacancy.status == VacancyStatus.DRAFT and vacancy.employer == hr_x.employer
        assert vacancy.dormitory and not vacancy.meals and vacancy.shift_work
        response = client.post(
            reverse("jobs:vacancy_transition", args=[vacancy.pk]), {"status": "open"}, follow=True
        )
        assert "岗位已发布" in response.content.decode()
        assert Vacancy.objects.get(pk=vacancy.pk).status == VacancyStatus.OPEN

    def test_form_shows_service_errors_on_their_fields(self, client, hr_x, occupation):
        client.force_login(hr_x)
        response = client.post(
            reverse("jobs:vacancy_create"),
            vacancy_form(occupation, description="限男性，35 岁以下", wage_max="4000"),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "歧视性条件" in errors["description"][0]
        assert "月薪上限不能低于下限" in errors["wage_max"][0]
        assert not Vacancy.objects.filter(title="注塑工").exists()

    def test_form_offers_no_sex_ethnicity_or_region_requirement(self, client, hr_x):
        client.force_login(hr_x)
        form = client.get(reverse("jobs:vacancy_create")).context["form"]
        for word in ("sex", "gender", "ethnic", "nation", "hukou", "origin", "household"):
            assert not [name for name in form.fields if word in name]

    def test_illegal_transition_shows_the_clear_message(self, client, hr_x, employer_x):
        vacancy = VacancyFactory(employer=employer_x, status=VacancyStatus.CLOSED)
        client.force_login(hr_x)
        response = client.post(
            reverse("jobs:vacancy_transition", args=[vacancy.pk]), {"status": "open"}, follow=True
        )
        assert "岗位状态不能从“已关闭”变为“招聘中”。" in response.content.decode()

    def test_edit_keeps_headcount_above_hired(self, client, hr_x, employer_x, occupation):
        vacancy = VacancyFactory(employer=employer_x, occupation=occupation, filled_count=4)
        client.force_login(hr_x)
        response = client.post(
            reverse("jobs:vacancy_edit", args=[vacancy.pk]),
            vacancy_form(occupation, title=vacancy.title, headcount="2"),
        )
        assert "已有 4 人录用" in " ".join(response.context["form"].errors["headcount"])

    def test_unverified_employer_is_told_why_nothing_is_public(self, client, hr_x, employer_x):
        Employer.objects.filter(pk=employer_x.pk).update(
            verification_status=VerificationStatus.PENDING
        )
        vacancy = VacancyFactory(employer=employer_x)
        client.force_login(hr_x)
        body = client.get(reverse("jobs:vacancy_detail", args=[vacancy.pk])).content.decode()
        assert "企业尚未通过认证" in body


class TestCandidates:
    def test_candidates_page_masks_identity_and_explains_the_score(
        self, client, hr_x, vacancy_x, candidate_x
    ):
        client.force_login(hr_x)
        body = client.get(
            reverse("matching:vacancy_candidates", args=[vacancy_x.pk])
        ).content.decode()
        assert "王**" in body and "王小明" not in body
        assert candidate_x.worker.id_number_masked in body
        assert "工资高于期望 800 元" in body and "+16" in body
        assert "脱贫劳动力优先" in body and "路程约 1700 公里" in body and "-4" in body
        assert "确认录用" in body

    def test_candidate_card_shows_skills_certificates_and_education(
        self, client, hr_x, vacancy_x, candidate_x, occupation, forklift_certificate
    ):
        from workers.models import WorkerCertificate, WorkerSkill

        worker = candidate_x.worker
        worker.education = "junior"
        worker.save(update_fields=["education"])
        WorkerSkill.objects.create(worker=worker, occupation=occupation, level=2, years=3)
        WorkerCertificate.objects.create(worker=worker, certificate_type=forklift_certificate)
        client.force_login(hr_x)
        body = client.get(
            reverse("matching:vacancy_candidates", args=[vacancy_x.pk])
        ).content.decode()
        assert f"{occupation.name_zh} · 四级/中级工 · 3 年" in body
        assert forklift_certificate.name_zh in body and "初中" in body

    def test_empty_state_and_no_explanation_state(self, client, hr_x, vacancy_x):
        client.force_login(hr_x)
        body = client.get(
            reverse("matching:vacancy_candidates", args=[vacancy_x.pk])
        ).content.decode()
        assert "暂无推荐的候选人" in body
        offer(vacancy_x, reasons=[])
        body = client.get(
            reverse("matching:vacancy_candidates", args=[vacancy_x.pk])
        ).content.decode()
        assert "没有附带评分说明" in body

    def test_proposals_not_yet_offered_stay_hidden_from_hr(self, client, hr_x, vacancy_x):
        offer(vacancy_x, status=MatchStatus.PROPOSED, name="赵未审")
        client.force_login(hr_x)
        body = client.get(
            reverse("matching:vacancy_candidates", args=[vacancy_x.pk])
        ).content.decode()
        assert "赵*" not in body

    def test_confirm(self, client, hr_x, candidate_x):
        client.force_login(hr_x)
        response = client.post(
            reverse("matching:candidate_decide", args=[candidate_x.pk]),
            {"decision": "confirm", "next": "/jobs/candidates/"},
        )
        assert response.status_code == 302
        candidate_x.refresh_from_db()
        assert candidate_x.employer_decision == Decision.YES

    def test_decline_needs_a_reason(self, client, hr_x, candidate_x):
        client.force_login(hr_x)
        response = client.post(
            reverse("matching:candidate_decide", args=[candidate_x.pk]),
            {"decision": "decline", "reason": ""},
            follow=True,
        )
        assert "谢绝候选人时请填写原因" in response.content.decode()
        assert Match.objects.get(pk=candidate_x.pk).status == MatchStatus.OFFERED
        client.post(
            reverse("matching:candidate_decide", args=[candidate_x.pk]),
            {"decision": "decline", "reason": "岗位要求夜班，候选人不便"},
        )
        candidate_x.refresh_from_db()
        assert candidate_x.status == MatchStatus.DECLINED
        assert candidate_x.decline_reason == "岗位要求夜班，候选人不便"

    @pytest.mark.parametrize("page", ["matching:vacancy_candidates", "matching:candidates"])
    def test_enter_in_the_reason_box_declines_never_confirms(
        self, client, hr_x, vacancy_x, candidate_x, page
    ):
        client.force_login(hr_x)
        args = [vacancy_x.pk] if page == "matching:vacancy_candidates" else []
        response = client.get(reverse(page, args=args), follow=True)
        forms = _forms(response.content.decode())
        # What a browser sends on Enter in a text box: the fields of that box's form and its
        # default button, the first submit button of the form in tree order (if any).
        (form,) = [f for f in forms if any(field.get("name") == "reason" for field in f["fields"])]
        data = {
            field["name"]: field.get("value", "")
            for field in form["fields"]
            if field.get("name") and field["tag"] == "input"
        }
        submits = [field for field in form["fields"] if field["tag"] == "button"]
        if submits and submits[0].get("name"):
            data[submits[0]["name"]] = submits[0].get("value", "")
        assert data.get("decision") == "decline"
        data["reason"] = "岗位要求夜班，候选人不便"
        client.post(form["action"], data)
        candidate_x.refresh_from_db()
        assert candidate_x.employer_decision == Decision.NO
        assert candidate_x.status == MatchStatus.DECLINED

    @pytest.mark.parametrize(
        "target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"]
    )
    def test_the_decision_does_not_redirect_off_site(self, client, hr_x, candidate_x, target):
        client.force_login(hr_x)
        response = client.post(
            reverse("matching:candidate_decide", args=[candidate_x.pk]),
            {"decision": "confirm", "next": target},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "matching:vacancy_candidates", args=[candidate_x.vacancy_id]
        )

    def test_all_candidates_page_lists_waiting_first(self, client, hr_x, vacancy_x, candidate_x):
        done = offer(vacancy_x, status=MatchStatus.DECLINED, name="钱已谢")
        client.force_login(hr_x)
        waiting = client.get(reverse("matching:candidates")).context["page"].object_list
        assert list(waiting) == [candidate_x]
        everyone = client.get(reverse("matching:candidates") + "?show=all").context["page"]
        assert list(everyone.object_list) == [candidate_x, done]


class TestEmployerPages:
    def test_profile_form_validates_the_credit_code(self, client, hr_x, employer_x):
        client.force_login(hr_x)
        form = client.get(reverse("jobs:employer_profile")).context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        data.update({"credit_code": "91370214MA3C12345X", "has_dormitory": "on"})
        response = client.post(reverse("jobs:employer_profile"), data)
        assert response.status_code == 200
        assert "校验位不正确" in response.context["form"].errors["credit_code"][0]
        data["credit_code"] = "91370214MA3C1234"
        response = client.post(reverse("jobs:employer_profile"), data)
        assert "应为 18 位" in response.context["form"].errors["credit_code"][0]
        data["credit_code"] = "91370214MA3C1234IO"
        response = client.post(reverse("jobs:employer_profile"), data)
        assert "I、O" in response.context["form"].errors["credit_code"][0]

    def test_profile_save_with_a_valid_code_and_facilities(self, client, hr_x, employer_x):
        client.force_login(hr_x)
        form = client.get(reverse("jobs:employer_profile")).context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        new_code = make_credit_code("370214")
        data.update(
            {
                "credit_code": new_code.lower(),
                "size": "300-999",
                "has_dormitory": "on",
                "dormitory_details": "4 人间，空调",
                "has_canteen": "on",
                "canteen_details": "三餐补贴",
            }
        )
        response = client.post(reverse("jobs:employer_profile"), data, follow=True)
        employer_x.refresh_from_db()
        assert employer_x.credit_code == new_code and employer_x.has_dormitory
        assert employer_x.verification_status == VerificationStatus.PENDING  # identity changed
        assert "重新提交" in response.content.decode()

    def test_profile_lists_the_hr_contacts(self, client, hr_x, employer_x):
        from laborbridge.models import Role
        from tests.factories import make_user

        make_user("hr_x2", Role.EMPLOYER_HR, employer=employer_x, phone="13900001111")
        client.force_login(hr_x)
        body = client.get(reverse("jobs:employer_profile")).content.decode()
        assert "hr_x2" in body and "13900001111" in body

    def test_district_options_follow_the_city(self, client, hr_x):
        client.force_login(hr_x)
        profile = client.get(reverse("jobs:employer_profile")).content.decode()
        assert f'hx-get="{reverse("jobs:district_options")}"' in profile
        body = client.get(reverse("jobs:district_options") + "?city=370200").content.decode()
        assert "城阳区" in body and "历下区" not in body

    def test_coordinator_sees_pending_first_and_verifies(self, client, coordinator, employer_x):
        pending = Employer.objects.create(
            name="青岛待审核有限公司",
            credit_code=make_credit_code("370211"),
            city_id="370200",
            district_id="370211",
            industry="C",
        )
        client.force_login(coordinator)
        page = client.get(reverse("jobs:employer_list")).context["page"]
        assert page.object_list[0] == pending
        response = client.post(
            reverse("jobs:employer_verify", args=[pending.pk]),
            {"decision": "rejected", "reason": ""},
            follow=True,
        )
        assert "驳回时请填写原因" in response.content.decode()
        client.post(reverse("jobs:employer_verify", args=[pending.pk]), {"decision": "verified"})
        pending.refresh_from_db()
        assert pending.verification_status == VerificationStatus.VERIFIED

    def test_officials_cannot_verify(self, client, official_a, employer_x):
        client.force_login(official_a)
        response = client.post(
            reverse("jobs:employer_verify", args=[employer_x.pk]),
            {"decision": "rejected", "reason": "x"},
        )
        assert response.status_code == 403
