"""Template context shared by every page: the navigation of the signed-in user's role."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from laborbridge.models import Role


def _items(user) -> list[tuple[str, str]]:
    home = (reverse("home"), _("首页"))
    if user.is_superuser or user.role == Role.ADMIN:
        return [
            home,
            (reverse("workers:list"), _("劳动力")),
            (reverse("jobs:vacancy_list"), _("岗位")),
            (reverse("jobs:employer_list"), _("企业")),
            (reverse("admin:index"), _("后台管理")),
        ]
    if user.role == Role.COUNTY_OFFICIAL:
        return [
            home,
            (reverse("workers:list"), _("劳动力登记")),
            (reverse("jobs:vacancy_list"), _("岗位信息")),
        ]
    if user.role == Role.EMPLOYER_HR:
        return [
            home,
            (reverse("jobs:vacancy_list"), _("本企业岗位")),
            (reverse("jobs:employer_list"), _("企业信息")),
        ]
    if user.role == Role.COORDINATOR:
        return [
            home,
            (reverse("workers:list"), _("劳动力")),
            (reverse("jobs:vacancy_list"), _("岗位")),
            (reverse("jobs:employer_list"), _("企业")),
            (reverse("admin:index"), _("匹配审核")),
        ]
    return [home]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = [
        {"url": url, "label": label, "active": path == url or (url != "/" and path.startswith(url))}
        for url, label in _items(user)
    ]
    return {"nav_items": items}
