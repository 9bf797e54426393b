from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laborbridge import access
from laborbridge.models import Region, Role
from placement.models import EventKind, LeavingReason


def region_options(parent: str | None, level: str) -> list[tuple[str, str]]:
    """Return the (code, name) choices of ``level`` regions under ``parent`` (None: all
    provinces) — the steps of the workplace picker, down to county level only."""
    regions = Region.objects.filter(level=level)
    if parent is not None:
        regions = regions.filter(parent_id=parent)
    return [("", "—"), *regions.order_by("code").values_list("code", "name")]


class EmploymentEventForm(forms.Form):
    """One form for every event kind; the service says which fields a kind needs.

    The workplace of a job off the platform is picked, not typed: province → city → county
    selects. Each is server-rendered from the choice above it (a submitted province fills
    the city list); with htmx a change reloads the next list in place
    (``placement:region_options``), no inline script.
    """

    kind = forms.ChoiceField(label=_("记录类型"), choices=EventKind.choices)
    occurred_on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    same_employer = forms.BooleanField(label=_("换岗：同一企业的其他岗位"), required=False)
    employer = forms.ModelChoiceField(
        label=_("换岗或外出：平台企业"), queryset=None, required=False
    )
    employer_name = forms.CharField(
        label=_("换岗或外出：平台外企业名称"), max_length=120, required=False
    )
    workplace_province = forms.ChoiceField(label=_("务工地点：省"), required=False)
    workplace_city = forms.ChoiceField(label=_("务工地点：市"), required=False)
    workplace = forms.ChoiceField(
        label=_("务工地点：县（区）"),
        required=False,
        help_text=_("平台外企业必填，选到县（区）。"),
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

    def __init__(self, *args, user, employment=None, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if access.has_role(user, Role.EMPLOYER_HR):
            # HR reports leavers only.
            self.fields["kind"].choices = [(EventKind.LEFT, EventKind.LEFT.label)]
            for name in (
                "same_employer",
                "employer",
                "employer_name",
                "workplace_province",
                "workplace_city",
                "workplace",
                "monthly_wage",
            ):
                del self.fields[name]
            return
        self.fields["employer"].queryset = access.employers_visible_to(user).order_by("name")
        province = self._picked("workplace_province")
        city = self._picked("workplace_city")
        self.fields["workplace_province"].choices = region_options(None, Region.Level.PROVINCE)
        self.fields["workplace_city"].choices = (
            region_options(province, Region.Level.CITY) if province else [("", "—")]
        )
        self.fields["workplace"].choices = (
            region_options(city, Region.Level.COUNTY) if city else [("", "—")]
        )
        # htmx: a change reloads the next select's options (and empties the one after).
        for name, target in (("workplace_province", "city"), ("workplace_city", "county")):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": f"{_options_url()}?step={target}",
                    "hx-trigger": "change",
                    "hx-target": f"#id_{'workplace_city' if target == 'city' else 'workplace'}",
                    "hx-swap": "innerHTML",
                }
            )

    def _picked(self, name: str) -> str:
        value = self.data.get(name, "") if self.is_bound else self.initial.get(name, "")
        return str(value or "").strip()

    def clean_workplace(self):
        code = self.cleaned_data.get("workplace", "")
        if not code:
            if self._picked("workplace_province") or self._picked("workplace_city"):
                raise forms.ValidationError(_("请把务工地点选到县（区）。"))
            return None
        region = Region.objects.filter(pk=code, level=Region.Level.COUNTY).first()
        if region is None:
            raise forms.ValidationError(_("请从列表中选择县（区）。"))
        return region

    @property
    def service_values(self) -> dict:
        """Return the cleaned values the services take (the picker's upper steps dropped)."""
        values = dict(self.cleaned_data)
        values.pop("workplace_province", None)
        values.pop("workplace_city", None)
        return values


def _options_url() -> str:
    from django.urls import reverse

    return reverse("placement:region_options")
