"""Forms of the jobs pages. They validate and render; the writes happen in ``jobs.services``."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from jobs import selectors
from jobs.models import Employer, Vacancy, VacancyStatus, VerificationStatus
from jobs.services import (
    PROFILE_FIELDS,
    SCREENED_FIELDS,
    VacancyData,
    employer_check_credit_code,
    vacancy_validate,
    vacancy_wording_errors,
)
from laborbridge.forms import form_errors_add
from laborbridge.models import CertificateType, Occupation, Region

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EmployerProfileForm(forms.ModelForm):
    """The company profile HR keeps."""

    # A plain field: the model's unique check would answer in a generic way, the service
    # names the employer already holding the code.
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        help_text=_("18 位，营业执照上的代码；不使用 I、O、S、V、Z。"),
    )

    class Meta:
        model = Employer
        fields = PROFILE_FIELDS  # what employer_update writes
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = selectors.city_choices()
        city = self.data.get("city") if self.is_bound else self.instance.city_id
        self.fields["district"].queryset = selectors.district_choices(city)
        # Choosing a city reloads the district list (htmx); without JavaScript the list
        # follows the city after saving, and the service checks that the two agree.
        self.fields["city"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("jobs:district_options"),
                "hx-target": "#id_district",
                "hx-swap": "innerHTML",
                "hx-trigger": "change",
            }
        )

    def clean_credit_code(self) -> str:
        try:
            return employer_check_credit_code(
                credit_code=self.cleaned_data["credit_code"], exclude_pk=self.instance.pk
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict["credit_code"]) from None

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EmployerVerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[
            (VerificationStatus.VERIFIED, _("通过认证")),
            (VerificationStatus.REJECTED, _("驳回")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("驳回原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("驳回时必填，企业人事会看到。"),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == VerificationStatus.REJECTED
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", _("驳回时请填写原因。"))
        return data


class _OccupationField(forms.ModelChoiceField):
    """Occupations grouped by major group of the national classification."""

    def label_from_instance(self, obj: Occupation) -> str:
        return f"{obj.name}（{obj.code}）"

    def grouped_choices(self) -> list:
        groups: dict[str, list] = {}
        for occupation in self.queryset.select_related("group"):
            groups.setdefault(occupation.group.name, []).append(
                (occupation.pk, self.label_from_instance(occupation))
            )
        return [("", "---------"), *groups.items()]


class VacancyForm(forms.ModelForm):
    """Create or edit a vacancy. No field exists for sex, ethnicity or home region."""

    occupation = _OccupationField(label=_("工种"), queryset=Occupation.objects.all())
    required_certificates = forms.ModelMultipleChoiceField(
        label=_("必备证书"),
        queryset=CertificateType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只勾选岗位依法必须持有的证书，如特种作业操作证。"),
    )

    class Meta:
        model = Vacancy
        fields = [
            "occupation",
            "title",
            "description",
            "headcount",
            "wage_min",
            "wage_max",
            "pay_type",
            "district",
            "address",
            "shift_pattern",
            "working_hours",
            "start_date",
            "contract_months",
            "age_min",
            "age_max",
            "required_certificates",
            "min_skill_level",
            "min_education",
            "physical_requirements",
            "dormitory",
            "meals",
            "travel_reimbursement",
            "social_insurance",
            "benefits_note",
            "campaign",
        ]
        widgets = {
            "start_date": _DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, employer: Employer, **kwargs):
        super().__init__(*args, **kwargs)
        self.employer = employer
        occupation = self.fields["occupation"]
        occupation.widget.choices = occupation.grouped_choices()
        district = self.fields["district"]
        district.queryset = Region.objects.filter(level=Region.Level.COUNTY)
        local = list(selectors.district_choices(employer.city_id))
        current = self.instance.district if self.instance.district_id else None
        if current is not None and current not in local:
            local.append(current)
        district.widget.choices = [("", "---------")] + [(r.pk, r.name) for r in local]
        campaigns = selectors.campaign_choices_for(employer)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].empty_label = _("不参加招聘行动")
        if not self.instance.pk and not self.is_bound:
            # A new vacancy starts from the company profile (the model's defaults are
            # already in ``initial``, so these replace them).
            self.initial.update(
                district=employer.district_id,
                address=employer.address,
                dormitory=employer.has_dormitory,
                meals=employer.has_canteen,
            )
            running = [c for c in campaigns if c.is_running]
            if len(running) == 1:
                self.initial["campaign"] = running[0].pk

    def clean(self):
        data = super().clean()
        # The service's checks run here too, so every problem shows at once on its field
        # (the model's constraints would otherwise answer first and alone).
        if self.errors:
            errors = vacancy_wording_errors({f: data.get(f) or "" for f in SCREENED_FIELDS})
            for field, messages in errors.items():
                self.add_error(field, messages)
        else:
            try:
                vacancy_validate(
                    employer=self.employer,
                    data=self.vacancy_data(),
                    filled_count=self.instance.filled_count,
                    current=self.instance if self.instance.pk else None,
                )
            except ValidationError as error:
                form_errors_add(self, error)
        return data

    def vacancy_data(self) -> VacancyData:
        data = dict(self.cleaned_data)
        data["required_certificates"] = tuple(data["required_certificates"])
        for name in ("description", "address", "working_hours", "physical_requirements"):
            data[name] = data.get(name) or ""
        data["benefits_note"] = data.get("benefits_note") or ""
        return VacancyData(**data)


class VacancyTransitionForm(forms.Form):
    status = forms.ChoiceField(choices=VacancyStatus.choices)


class VacancyFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *VacancyStatus.choices]
    )


class EmployerFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("认证状态"),
        required=False,
        choices=[("", _("全部")), *VerificationStatus.choices],
    )


class CandidateDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"), choices=[("confirm", _("确认录用")), ("decline", _("谢绝"))]
    )
    reason = forms.CharField(label=_("谢绝原因"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", _("谢绝候选人时请填写原因。"))
        return data
