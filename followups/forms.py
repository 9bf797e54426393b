"""Forms of the follow-up pages: the record form and a campaign's schedule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from followups.models import ContactMethod, HousingFood, Problem

_YES_NO = [("", _("—")), ("yes", _("是")), ("no", _("否"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class FollowUpRecordForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=_("是否联系上"),
        choices=[("yes", _("联系上")), ("no", _("未联系上"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    contact_method = forms.ChoiceField(label=_("联系方式"), choices=ContactMethod.choices)
    still_employed = forms.ChoiceField(label=_("是否仍在岗"), choices=_YES_NO, required=False)
    wage_last_month = forms.IntegerField(
        label=_("上月实发工资（元）"), required=False, min_value=1, max_value=1_000_000
    )
    housing_food = forms.ChoiceField(
        label=_("食宿情况"), choices=[("", _("—")), *HousingFood.choices], required=False
    )
    problems = forms.MultipleChoiceField(
        label=_("反映的问题"),
        choices=Problem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    next_action = forms.CharField(
        label=_("下一步措施"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values["still_employed"] = _yes_no(values["still_employed"])
        return values


class ScheduleForm(forms.Form):
    first_week = forms.BooleanField(label=_("到岗首周回访"), required=False)
    months = forms.CharField(
        label=_("到岗后第几个月回访"),
        help_text=_("用逗号分隔，例如 1,3,6"),
        required=False,
        max_length=60,
    )
    census = forms.BooleanField(label=_("每月在岗摸底"), required=False)
    due_days = forms.IntegerField(label=_("回访期限（天）"), min_value=1, max_value=60)
    census_due_day = forms.IntegerField(
        label=_("摸底截止日（每月几号）"), min_value=1, max_value=28
    )

    def clean_months(self) -> list[int]:
        text = self.cleaned_data["months"].replace("，", ",")
        try:
            return [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("请填写用逗号分隔的整数。")) from None
