"""Forms of the worker's own page: plain fields that work on any phone without JavaScript."""

from django import forms
from django.utils.translation import gettext_lazy as _

from laborbridge.models import Region


def _provinces():
    return Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")


class ProvinceForm(forms.Form):
    """Pick the province first (GET), so the county list stays short on a phone."""

    province = forms.ModelChoiceField(label=_("省份"), queryset=_provinces(), empty_label=None)


class JobChangeForm(forms.Form):
    employer_name = forms.CharField(label=_("新单位名称"), max_length=120)
    workplace = forms.ModelChoiceField(
        label=_("新单位所在县（区）"),
        queryset=Region.objects.none(),
        empty_label=_("请选择"),
    )
    monthly_wage = forms.IntegerField(
        label=_("每月工资（元，不清楚可不填）"),
        required=False,
        min_value=1,
        max_value=200000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, province: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province
        self.fields["workplace"].queryset = Region.objects.filter(
            level=Region.Level.COUNTY, code__startswith=province[:2]
        ).order_by("code")
