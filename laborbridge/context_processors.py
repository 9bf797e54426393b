"""Template context shared by every page: the navigation of the signed-in user's role."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from laborbridge.models import Role

# Navigation per role as (url name, label). Entries whose page does not exist yet are left
# out, so an app adds its page and the menu entry appears.
_NAVIGATION = {
    Role.ADMIN: [
        ("home", _("首页")),
        ("workers:list", _("劳动力")),
        ("jobs:vacancy_list", _("岗位")),
        ("jobs:employer_list", _("企业")),
        ("matching:round_list", _("匹配轮次")),
        ("transport:trip_list", _("点对点运输")),
        ("admin:index", _("后台管理")),
    ],
    Role.COUNTY_OFFICIAL: [
        ("home", _("首页")),
        ("workers:list", _("劳动力名册")),
        ("workers:import", _("导入花名册")),
        ("workers:pending", _("待核实报名")),
        ("matching:county_matches", _("匹配与推荐")),
        ("transport:county_travel", _("出行安排")),
        ("jobs:vacancy_list", _("岗位信息")),
        ("transport:notifications", _("通知")),
    ],
    Role.EMPLOYER_HR: [
        ("home", _("首页")),
        ("jobs:vacancy_list", _("本企业岗位")),
        ("jobs:candidates", _("候选人")),
        ("transport:arrivals", _("到岗签到")),
        ("jobs:employer_profile", _("企业信息")),
        ("transport:notifications", _("通知")),
    ],
    Role.COORDINATOR: [
        ("home", _("首页")),
        ("matching:round_list", _("匹配轮次")),
        ("transport:trip_list", _("点对点运输")),
        ("workers:list", _("劳动力")),
        ("jobs:vacancy_list", _("岗位")),
        ("jobs:employer_list", _("企业")),
        ("admin:index", _("匹配审核")),
        ("transport:notifications", _("通知")),
    ],
}


def _items(user) -> list[tuple[str, str]]:
    role = Role.ADMIN if user.is_superuser else user.role
    items = []
    for name, label in _NAVIGATION.get(role, [("home", _("首页"))]):
        try:
            items.append((reverse(name), label))
        except NoReverseMatch:
            continue
    return items


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = _items(user)
    # The entry whose URL is the longest prefix of the current page is the active one, so
    # /workers/import/ highlights "导入花名册" and not also "劳动力名册".
    matching = [
        url for url, _label in items if path == url or (url != "/" and path.startswith(url))
    ]
    active = max(matching, key=len) if matching else None
    nav = [{"url": url, "label": label, "active": url == active} for url, label in items]
    notices = _url("transport:notifications")
    for item in nav:
        if item["url"] == notices:
            item["badge"] = _unread_notifications(user)  # one COUNT query per page
    return {"nav_items": nav}


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _unread_notifications(user) -> int:
    from transport.selectors import notifications_unread_count

    return notifications_unread_count(user)
