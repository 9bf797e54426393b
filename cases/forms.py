from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseKind, Sector, StepAction
from cases.services import MAX_AMOUNT_OWED
from placement.models import LeavingReason

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


def _month_field(label):
    return forms.DateField(
        label=label,
        required=False,
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class CaseOpenForm(forms.Form):
    """The intake, with the fields of the national wage-arrears platform; the service says
    which a kind needs (欠薪: sector, employer, period and amount)."""

    kind = forms.ChoiceField(label=_("问题类型"), choices=CaseKind.choices)
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=11,
        required=False,
        help_text=_("不填则使用登记的手机号。"),
    )
    sector = forms.ChoiceField(
        label=_("行业类别"), choices=[("", "—"), *Sector.choices], required=False
    )
    employer_name = forms.CharField(label=_("用人单位名称"), max_length=120, required=False)
    employer_address = forms.CharField(label=_("用人单位地址"), max_length=200, required=False)
    owed_from = _month_field(_("欠薪起始月份"))
    owed_to = _month_field(_("欠薪截止月份"))
    amount_owed = forms.IntegerField(
        label=_("欠薪金额（元）"), min_value=1, max_value=MAX_AMOUNT_OWED, required=False
    )


class CaseStepForm(forms.Form):
    action = forms.ChoiceField(
        label=_("办理事项"),
        choices=[
            (a, a.label)
            for a in (
                StepAction.HANDLING,
                StepAction.NOTE,
                StepAction.RESOLVED,
                StepAction.REFERRED,
            )
        ],
    )
    note = forms.CharField(
        label=_("说明（本人可见）"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    staff_note = forms.CharField(
        label=_("内部备注（仅工作人员可见）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    referred_to = forms.CharField(
        label=_("移交的人社部门"),
        max_length=120,
        required=False,
        help_text=_("移交时必填，如：青岛市黄岛区人力资源和社会保障局劳动保障监察大队。"),
    )


class ReturnHomeForm(forms.Form):
    occurred_on = forms.DateField(
        label=_("返乡日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.ChoiceField(label=_("返乡原因"), choices=LeavingReason.choices)
    note = forms.CharField(
        label=_("说明（本人可见）"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
