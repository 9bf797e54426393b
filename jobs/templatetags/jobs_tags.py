"""Template helpers of the jobs pages: masked names, wages, benefits, worker facts."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from jobs.models import PayType

register = template.Library()


@register.filter
def mask_name(name: str) -> str:
    """Return ``张*`` / ``欧阳**``: the surname (first character) and one star per other."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


@register.simple_tag
def wage_range(low: int, high: int, pay_type: str = "") -> str:
    """Return ``5000–6500 元/月`` (with the pay type when it is not a plain salary).

    Plain digits, as Chinese job ads write wages (and locale grouping would split by 万)."""
    amount = f"{low}" if low == high else f"{low}–{high}"
    text = _("%(amount)s 元/月") % {"amount": amount}
    if pay_type and pay_type != PayType.MONTHLY:
        text += f"（{PayType(pay_type).label}）"
    return text


@register.simple_tag
def benefit_labels(item) -> list[str]:
    """Return the benefit names a vacancy (model instance or board row) offers."""

    def get(name: str) -> bool:
        return getattr(item, name)

    labels = [
        ("dormitory", _("包住宿")),
        ("meals", _("工作餐")),
        ("travel_reimbursement", _("报销路费")),
        ("social_insurance", _("五险")),
    ]
    return [label for name, label in labels if get(name)]


@register.simple_tag
def signup_url(campaign_code: str) -> str:
    """Return the self-signup page of a campaign, or "" while that page does not exist."""
    try:
        return reverse("workers_public:signup", args=[campaign_code])
    except NoReverseMatch:
        return ""


@register.simple_tag
def worker_facts(worker) -> dict:
    """Return what a candidate card shows of a worker: skills, certificates, education.

    Reads the relations ``jobs.selectors.candidates_for`` prefetches (no extra queries).
    """
    skills = [
        " · ".join(
            part
            for part in (
                skill.occupation.name,
                skill.get_level_display() if skill.level else "",
                _("%(years)d 年") % {"years": skill.years} if skill.years else "",
            )
            if part
        )
        for skill in worker.skills.all()
    ]
    certificates = [
        certificate.certificate_type.name + (_("（已过期）") if certificate.is_expired else "")
        for certificate in worker.certificates.all()
    ]
    education = worker.get_education_display() if worker.education else ""
    return {"skills": skills, "certificates": certificates, "education": education}


@register.filter
def awaits_employer(match) -> bool:
    """Return whether HR still has to confirm or decline this candidate."""
    return match.employer_decision == "pending" and match.status in ("offered", "accepted")
