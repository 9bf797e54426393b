"""Forms of subsidies part 1: a policy with its amount table, a budget, evidence."""

from django import forms
from django.utils.translation import gettext_lazy as _

from laborbridge.models import Region
from subsidies.models import DestinationZone, EvidenceKind, Policy, TargetGroup
from subsidies.models.policies import BUDGET_MAX

POLICY_FORM_FIELDS = [
    "code",
    "name",
    "kind",
    "issuing_region",
    "year",
    "source_document",
    "issuing_bodies",
    "source_url",
    "min_consecutive_months",
    "organised_travel_excluded",
    "age_min",
    "age_max",
    "once_per_year",
    "pledge_allowed",
    "notice_days",
    "payment_mode",
    "prepay_amount",
    "pays_to",
    "valid_from",
    "valid_until",
    "notes",
    "is_active",
]


class PolicyForm(forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        label=_("补贴对象"), choices=TargetGroup.choices, widget=forms.CheckboxSelectMultiple
    )
    source_url = forms.URLField(
        label=_("来源链接"), max_length=300, required=False, assume_scheme="https"
    )
    evidence_kinds = forms.MultipleChoiceField(
        label=_("证明材料（任一即可）"),
        choices=[c for c in EvidenceKind.choices if c[0] != EvidenceKind.PLEDGE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Policy
        fields = POLICY_FORM_FIELDS
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["issuing_region"].queryset = regions
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial.setdefault("target_groups", self.instance.target_groups)
            self.initial.setdefault("evidence_kinds", self.instance.evidence_kinds)

    def _post_clean(self):
        # The service validates the whole policy (full_clean) with its amount table.
        pass


class AmountForm(forms.Form):
    zone = forms.ChoiceField(
        label=_("务工地区"), choices=[("", "—"), *DestinationZone.choices], required=False
    )
    province = forms.ModelChoiceField(
        label=_("省份（仅“指定省份”）"),
        queryset=Region.objects.filter(level="province"),
        required=False,
    )
    amount = forms.IntegerField(label=_("金额（元）"), min_value=1, required=False)


AmountFormSet = forms.formset_factory(AmountForm, extra=6, max_num=20)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=EvidenceKind.choices)
    file = forms.FileField(
        label=_("文件（PDF、PNG、JPG，不超过 5 MB）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class PledgeForm(forms.Form):
    signed_on = forms.DateField(
        label=_("签署日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class BudgetForm(forms.Form):
    """A county's budget under a policy; ``counties`` are those the user may set."""

    county = forms.ModelChoiceField(
        queryset=Region.objects.none(), label=_("县区"), empty_label=_("选择县区")
    )
    amount = forms.IntegerField(
        label=_("预算（元）"),
        min_value=0,
        max_value=BUDGET_MAX,
        error_messages={
            "min_value": _("预算不能为负数。"),
            "max_value": _("预算不能超过 %(limit_value)s 元。"),
        },
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


class PolicyImportForm(forms.Form):
    file = forms.FileField(
        label=_("政策表（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
