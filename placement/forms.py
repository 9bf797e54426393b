from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laborbridge import access
from laborbridge.models import Region, Role
from placement.models import EventKind, LeavingReason


class EmploymentEventForm(forms.Form):
    """One form for every event kind; the service says which fields a kind needs."""

    kind = forms.ChoiceField(label=_("记录类型"), choices=EventKind.choices)
    occurred_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    same_employer = forms.BooleanField(label=_("换岗：同一企业的其他岗位"), required=False)
    employer = forms.ModelChoiceField(
        label=_("换岗或外出：平台企业"), queryset=None, required=False
    )
    employer_name = forms.CharField(
        label=_("换岗或外出：平台外企业名称"), max_length=120, required=False
    )
    workplace = forms.CharField(
        label=_("务工地点（县区代码）"),
        max_length=6,
        required=False,
        help_text=_("平台外企业必填，如 370281（胶州市）。"),
    )
    monthly_wage = forms.IntegerField(label=_("月工资（元）"), min_value=1, required=False)
    reason = forms.ChoiceField(
        label=_("离职或返乡原因"),
        choices=[("", "—"), *LeavingReason.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = access.employers_visible_to(user).order_by("name")
        if access.has_role(user, Role.EMPLOYER_HR):
            # HR reports leavers only.
            self.fields["kind"].choices = [(EventKind.LEFT, EventKind.LEFT.label)]
            for name in ("same_employer", "employer", "employer_name", "workplace", "monthly_wage"):
                del self.fields[name]

    def clean_workplace(self):
        code = self.cleaned_data.get("workplace", "").strip()
        if not code:
            return None
        region = Region.objects.filter(pk=code).first()
        if region is None:
            raise forms.ValidationError(_("没有这个县区代码。"))
        return region
