"""Forms of the registry pages; messages are Chinese and attached to the field at fault."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laborbridge import access
from laborbridge.identifiers import normalize_text, validate_id_number, validate_mobile
from laborbridge.models import CertificateType, LaborBrand, Occupation, Region, User
from workers.models import (
    ConsentMethod,
    ConsentScope,
    Education,
    PovertyStatus,
    SkillLevel,
    TravelGroup,
    Worker,
    WorkerStatus,
)
from workers.services import (
    ALL_CONSENT_SCOPES,
    MANUAL_STATUS_MOVES,
    CertificateInput,
    ConsentInput,
    SkillInput,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_VILLAGE_SUFFIX = re.compile(r"(村民委员会|居民委员会|社区居委会|村委会|居委会|委员会|社区|村)$")


class CityChoiceField(forms.ModelMultipleChoiceField):
    """Cities by their short name (青岛市, 胶州市), not the full address-like name."""

    def label_from_instance(self, obj: Region) -> str:
        return obj.name


def wish_city_choices(user: User):
    """Return the cities offered as wishes: the user's paired eastern cities and Shandong's."""
    codes: list[str] = []
    for pairing in access.pairings_of(user):
        east = pairing.east_region
        if east.level == Region.Level.PROVINCE:
            codes += list(
                Region.objects.filter(parent=east, level="city").values_list("pk", flat=True)
            )
        elif east.level == Region.Level.CITY:
            codes.append(east.pk)
            codes += list(
                Region.objects.filter(parent=east, name__endswith="市").values_list("pk", flat=True)
            )
        elif east.parent_id:
            codes.append(east.parent_id)
    return Region.objects.filter(pk__in=codes).order_by("code")


class WorkerForm(forms.Form):
    """Create or edit a worker; the ID number is entered once, at registration."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    home_county = forms.ModelChoiceField(label=_("户籍县区"), queryset=Region.objects.none())
    home_township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Region.objects.none(), required=False, empty_label=_("（未填）")
    )
    home_village_name = forms.CharField(label=_("村（社区）"), max_length=50, required=False)
    poverty_status = forms.ChoiceField(label=_("帮扶身份"), choices=PovertyStatus.choices)
    education = forms.ChoiceField(
        label=_("文化程度"), choices=[("", _("（未填）")), *Education.choices], required=False
    )
    labor_brand = forms.ModelChoiceField(
        label=_("劳务品牌"),
        queryset=LaborBrand.objects.order_by("code"),
        required=False,
        empty_label=_("（无）"),
    )
    wish_cities = CityChoiceField(
        label=_("意向城市"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wish_occupations = forms.ModelMultipleChoiceField(
        label=_("意向工种"),
        queryset=Occupation.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按住 Ctrl 可多选。"),
    )
    min_wage = forms.IntegerField(
        label=_("最低月薪（元）"),
        min_value=0,
        max_value=100_000,
        required=False,
        error_messages={"invalid": _("请填写整数金额。")},
    )
    earliest_departure = forms.DateField(label=_("最早出发日期"), required=False, widget=_DATE)
    accepts_dormitory = forms.BooleanField(label=_("接受住宿舍"), required=False, initial=True)
    accepts_shift_work = forms.BooleanField(label=_("接受倒班"), required=False, initial=True)
    travel_group = forms.ModelChoiceField(
        label=_("同行组"),
        queryset=TravelGroup.objects.none(),
        required=False,
        empty_label=_("（无）"),
    )
    new_travel_group = forms.CharField(
        label=_("或新建同行组"),
        max_length=50,
        required=False,
        help_text=_("必须一起出行、一起务工的家人或老乡，填同一个组名。"),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    consent_given_on = forms.DateField(label=_("授权日期"), required=False, widget=_DATE)
    consent_method = forms.ChoiceField(
        label=_("授权方式"),
        choices=[("", _("（暂未授权）")), *ConsentMethod.choices],
        required=False,
    )
    consent_witness = forms.CharField(label=_("见证人"), max_length=50, required=False)

    def __init__(self, *args, user: User, worker: Worker | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.worker = user, worker
        counties = access.counties_for_registration(user)
        county_id = worker.home_county_id if worker else user.county_id
        self.fields["home_county"].queryset = counties
        if user.county_id:
            self.fields["home_county"].initial = user.county_id
            self.fields["home_county"].disabled = True
        township_parent = county_id or None
        self.fields["home_township"].queryset = (
            Region.objects.filter(parent_id=township_parent, level=Region.Level.TOWNSHIP)
            if township_parent
            else Region.objects.filter(level=Region.Level.TOWNSHIP)
        )
        self.fields["travel_group"].queryset = (
            TravelGroup.objects.filter(home_county_id=township_parent)
            if township_parent
            else TravelGroup.objects.all()
        )
        self.fields["wish_cities"].queryset = wish_city_choices(user) | Region.objects.filter(
            pk__in=worker.wish_city_links.values("region_id") if worker else []
        )
        if worker is not None:
            del self.fields["id_number"]
            self.fields["phone"].help_text = _(
                "号码已遮挡显示；不改动则保留原号码，更换时直接输入新号码。"
            )
            for name in ("consent_given_on", "consent_method", "consent_witness"):
                del self.fields[name]

    @classmethod
    def initial_for(cls, worker: Worker) -> dict:
        return {
            "name": worker.name,
            # The mask until the official types a new number; an untouched mask keeps it.
            "phone": worker.phone_masked,
            "home_county": worker.home_county_id,
            "home_township": worker.home_township_id,
            "home_village_name": worker.village_display,
            "poverty_status": worker.poverty_status,
            "education": worker.education,
            "labor_brand": worker.labor_brand_id,
            "wish_cities": [link.region_id for link in worker.wish_city_links.all()],
            "wish_occupations": [link.occupation_id for link in worker.wish_occupation_links.all()],
            "min_wage": worker.min_wage,
            "earliest_departure": worker.earliest_departure,
            "accepts_dormitory": worker.accepts_dormitory,
            "accepts_shift_work": worker.accepts_shift_work,
            "travel_group": worker.travel_group_id,
            "note": worker.note,
        }

    def clean_name(self) -> str:
        name = normalize_text(self.cleaned_data["name"])
        if re.search(r"\d", name):
            raise ValidationError(_("姓名中不应有数字。"))
        return name

    def clean_id_number(self) -> str:
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_phone(self) -> str | None:
        """Return the new mobile number, or None when the edit form's mask came back as is."""
        value = self.cleaned_data["phone"]
        if self.worker is not None and normalize_text(value) == self.worker.phone_masked:
            return None
        return validate_mobile(value)

    def clean_consent_given_on(self):
        value = self.cleaned_data.get("consent_given_on")
        if value and value > timezone.localdate():
            raise ValidationError(_("授权日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        township = data.get("home_township")
        name = (data.get("home_village_name") or "").strip()
        data["home_village"] = None
        if township is not None and name:
            stem = _VILLAGE_SUFFIX.sub("", normalize_text(name))
            for village in Region.objects.filter(parent=township, level=Region.Level.VILLAGE):
                if stem and _VILLAGE_SUFFIX.sub("", normalize_text(village.name)) == stem:
                    data["home_village"] = village
                    break
        if "consent_method" in self.fields:
            method, given_on = data.get("consent_method"), data.get("consent_given_on")
            if method and not given_on:
                self.add_error("consent_given_on", _("请填写授权日期。"))
            if given_on and not method:
                self.add_error("consent_method", _("请选择授权方式。"))
            if method == ConsentMethod.WITNESSED_VERBAL and not data.get("consent_witness"):
                self.add_error("consent_witness", _("口头同意须填写见证人。"))
        if data.get("travel_group") and data.get("new_travel_group"):
            self.add_error("new_travel_group", _("请选择已有同行组或新建一个，不要同时填写。"))
        return data

    def consent_input(self) -> ConsentInput | None:
        data = self.cleaned_data
        if "consent_method" not in self.fields or not data.get("consent_method"):
            return None
        return ConsentInput(
            given_on=data["consent_given_on"],
            method=data["consent_method"],
            witness=data.get("consent_witness", ""),
        )


class SkillForm(forms.Form):
    occupation = forms.ModelChoiceField(
        label=_("工种"),
        queryset=Occupation.objects.order_by("code"),
        required=False,
        empty_label=_("（选择工种）"),
    )
    level = forms.TypedChoiceField(
        label=_("技能等级"), choices=SkillLevel.choices, coerce=int, initial=SkillLevel.NONE
    )
    years = forms.IntegerField(label=_("从业年限"), min_value=0, max_value=60, initial=0)

    def as_input(self) -> SkillInput | None:
        data = self.cleaned_data
        if not data or data.get("DELETE") or not data.get("occupation"):
            return None
        return SkillInput(data["occupation"], data.get("level") or 0, data.get("years") or 0)


class CertificateForm(forms.Form):
    certificate_type = forms.ModelChoiceField(
        label=_("证书类型"),
        queryset=CertificateType.objects.order_by("code"),
        required=False,
        empty_label=_("（选择证书）"),
    )
    number = forms.CharField(label=_("证书编号"), max_length=50, required=False)
    issued_on = forms.DateField(label=_("发证日期"), required=False, widget=_DATE)
    expires_on = forms.DateField(label=_("有效期至"), required=False, widget=_DATE)

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and issued > timezone.localdate():
            self.add_error("issued_on", _("发证日期不能晚于今天。"))
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("有效期不能早于发证日期。"))
        if (data.get("number") or issued or expires) and not data.get("certificate_type"):
            self.add_error("certificate_type", _("请选择证书类型。"))
        return data

    def as_input(self) -> CertificateInput | None:
        data = self.cleaned_data
        if not data or data.get("DELETE") or not data.get("certificate_type"):
            return None
        return CertificateInput(
            data["certificate_type"],
            data.get("number") or "",
            data.get("issued_on"),
            data.get("expires_on"),
        )


class _UniqueFormSet(forms.BaseFormSet):
    unique_field = ""
    message = ""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            value = form.cleaned_data.get(self.unique_field) if form.cleaned_data else None
            if value is None or form.cleaned_data.get("DELETE"):
                continue
            if value.pk in seen:
                form.add_error(self.unique_field, self.message)
            seen.add(value.pk)


class _SkillFormSet(_UniqueFormSet):
    unique_field = "occupation"
    message = _("同一工种只能填写一次。")


class _CertificateFormSet(_UniqueFormSet):
    unique_field = "certificate_type"
    message = _("同一类证书只能填写一次。")


SkillFormSet = forms.formset_factory(
    SkillForm, formset=_SkillFormSet, extra=2, can_delete=True, max_num=10
)
CertificateFormSet = forms.formset_factory(
    CertificateForm, formset=_CertificateFormSet, extra=1, can_delete=True, max_num=10
)


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=_("查看哪一项"),
        choices=[("id_number", _("身份证号")), ("phone", _("手机号"))],
        initial="id_number",
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("查看原因"),
        max_length=200,
        min_length=2,
        error_messages={
            "required": _("请说明查看完整号码的原因。"),
            "min_length": _("请说明查看完整号码的原因。"),
        },
        help_text=_("查看会被记录（谁、何时、为何）。"),
    )

    def clean_field(self) -> str:
        return self.cleaned_data.get("field") or "id_number"


class ConsentForm(forms.Form):
    given_on = forms.DateField(label=_("授权日期"), widget=_DATE, initial=timezone.localdate)
    method = forms.ChoiceField(label=_("授权方式"), choices=ConsentMethod.choices)
    scope = forms.MultipleChoiceField(
        label=_("授权范围"),
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(ALL_CONSENT_SCOPES),
        error_messages={"required": _("请至少选择一项授权范围。")},
    )
    witness = forms.CharField(label=_("见证人（口头同意时必填）"), max_length=50, required=False)

    def clean_given_on(self):
        value = self.cleaned_data["given_on"]
        if value > timezone.localdate():
            raise ValidationError(_("授权日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        if (
            data.get("method") == ConsentMethod.WITNESSED_VERBAL
            and not data.get("witness", "").strip()
        ):
            self.add_error("witness", _("口头同意须填写见证人。"))
        return data

    def as_input(self) -> ConsentInput:
        data = self.cleaned_data
        return ConsentInput(
            given_on=data["given_on"],
            method=data["method"],
            scope=tuple(data["scope"]),
            witness=data.get("witness", ""),
        )


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("撤回日期"), widget=_DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("撤回说明"), max_length=200, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=())
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, worker: Worker, **kwargs):
        super().__init__(*args, **kwargs)
        moves = MANUAL_STATUS_MOVES.get(worker.status, set())
        self.fields["status"].choices = [
            (s, WorkerStatus(s).label) for s in WorkerStatus.values if s in moves
        ]


class BulkConsentForm(forms.Form):
    given_on = forms.DateField(label=_("授权日期"), widget=_DATE, required=False)
    method = forms.ChoiceField(
        label=_("授权方式"), choices=[("", _("（选择）")), *ConsentMethod.choices], required=False
    )
    witness = forms.CharField(label=_("见证人"), max_length=50, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("given_on"):
            self.add_error("given_on", _("请填写授权日期。"))
        elif data["given_on"] > timezone.localdate():
            self.add_error("given_on", _("授权日期不能晚于今天。"))
        if not data.get("method"):
            self.add_error("method", _("请选择授权方式。"))
        if data.get("method") == ConsentMethod.WITNESSED_VERBAL and not data.get("witness"):
            self.add_error("witness", _("口头同意须填写见证人。"))
        return data


class ExportForm(forms.Form):
    full_id_numbers = forms.BooleanField(
        label=_("导出完整身份证号和手机号（可修改后重新导入）"), required=False
    )
    reason = forms.CharField(label=_("导出原因"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("full_id_numbers") and len((data.get("reason") or "").strip()) < 2:
            self.add_error("reason", _("导出完整身份证号和手机号须说明原因。"))
        return data


class SignupDecisionForm(forms.Form):
    reason = forms.CharField(label=_("驳回原因"), max_length=200, required=False)
