"""Template context shared by every page: the navigation of the signed-in user's role."""

from html import escape

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from laborbridge import registry
from laborbridge.badges import Badge, badge_counts
from laborbridge.models import Role

# (URL name, script prefix, urlconf) -> its path, or None when it has none. A menu has ~20
# entries and reverse() costs 0.1-0.2 ms each: 2-4 ms of every signed-in page, for paths that
# change only with the urlconf (issue 17 item 3).
_PATHS: dict[tuple[str, str, str | None], str | None] = {}


def _path(name: str) -> str | None:
    key = (name, get_script_prefix(), get_urlconf())
    if key not in _PATHS:
        try:
            _PATHS[key] = reverse(name)
        except NoReverseMatch:
            _PATHS[key] = None
    return _PATHS[key]


# (language, the entries' URLs, active URL, badges) -> (the entries' labels, the links' HTML):
# translating and escaping ~20 labels was ~0.4 ms of every signed-in page (issue 17 item 3).
# The labels are compared by identity, so a menu registered anew is written anew.
_LINKS: dict[tuple, tuple[tuple, str]] = {}
LINKS_MAX_ENTRIES = 1024


# (role's entries, script prefix, urlconf) -> the menu's items: ~20 entries looked up and
# filtered on every signed-in page were ~0.2 ms (issue 17 item 3). The entries are the
# registry's tuple, compared by identity: a menu registered anew is looked up anew.
_ITEMS: dict[tuple, tuple[tuple, list[tuple[str, str, object]]]] = {}


def _items(user) -> list[tuple[str, str, object]]:
    """Return (url, label, badge callable) of the role's registered menu entries (the
    callable returns the entry's ``laborbridge.badges.Badge``).

    Each app registers its entries in ``laborbridge.registry`` from its ``AppConfig.ready``;
    an entry whose page does not exist is left out.
    """
    role = Role.ADMIN if user.is_superuser else user.role
    entries = registry.menu_entries_for(role)
    key = (role, get_script_prefix(), get_urlconf())
    kept = _ITEMS.get(key)
    if kept is not None and kept[0] is entries:
        return kept[1]
    items = []
    for name, label, badge in [(e.url_name, e.label, e.badge) for e in entries] or [
        ("home", _("首页"), None)
    ]:
        url = _path(name)
        if url is not None:
            items.append((url, label, badge))
    if len(_ITEMS) >= LINKS_MAX_ENTRIES:
        _ITEMS.clear()
    _ITEMS[key] = (entries, items)
    return items


def _menu(request) -> tuple[list[tuple[str, str, object]], list[int | None]]:
    """Return the menu's (url, label, badge callable) items of the signed-in user and each
    item's badge number (None without a badge), all badges read by one Redis round trip;
    kept on the request, so a view that counted its own number with them
    (``count_with_menu``) costs the menu no second one."""
    menu = getattr(request, "_lb_menu", None)
    if menu is None:
        menu = request._lb_menu = _menu_with(request.user, None)[1:]
    return menu


def _menu_with(user, badge: Badge | None):
    """Return (``badge``'s number, the menu's items, their badge numbers): one
    ``badge_counts`` for ``badge`` and the menu's badges."""
    items = _items(user)
    wanted = [(i, item[2](user)) for i, item in enumerate(items) if item[2] is not None]
    counted = badge_counts(([badge] if badge is not None else []) + [b for _i, b in wanted])
    own = counted.pop(0) if badge is not None else None
    numbers: list[int | None] = [None] * len(items)
    for (i, _badge), number in zip(wanted, counted, strict=True):
        numbers[i] = number
    return own, items, numbers


def count_with_menu(request, badge: Badge) -> int:
    """Return ``badge``'s number (e.g. a list's count), read in the same Redis round trip
    as the signed-in user's menu badges, which the page's navigation then shows."""
    own, *menu = _menu_with(request.user, badge)
    request._lb_menu = tuple(menu)
    return own


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items, numbers = _menu(request)
    # The entry whose URL is the longest prefix of the current page is the active one, so
    # /workers/import/ highlights "导入花名册" and not also "劳动力名册".
    matching = [
        url for url, _label, _badge in items if path == url or (url != "/" and path.startswith(url))
    ]
    active = max(matching, key=len) if matching else None
    nav = []
    for (url, label, _badge), number in zip(items, numbers, strict=True):
        item = {"url": url, "label": label, "active": url == active}
        if number is not None:
            item["badge"] = number  # e.g. unread notices (laborbridge.badges)
        nav.append(item)
    key = (
        get_language(),
        active,
        tuple(url for url, _label, _badge in items),
        tuple(numbers),
    )
    labels = tuple(label for _url, label, _badge in items)
    kept = _LINKS.get(key)
    if kept is None or any(a is not b for a, b in zip(kept[0], labels, strict=True)):
        if len(_LINKS) >= LINKS_MAX_ENTRIES:
            _LINKS.clear()
        kept = _LINKS[key] = (labels, _links_html(nav))
    return {
        "nav_items": nav,
        "nav_links": kept[1],
        "nav_badges": _badges_html(nav),
        "nav_who": _who_html(user),
    }


# language -> the roles' labels: the base template's account line read the signed-in user
# through its lazy wrapper and Role's choices on every page (~0.1 ms; issue 17 item 3).
_ROLE_LABELS: dict[str, dict[str, str]] = {}


def _who_html(user) -> str:
    """Return the account line's text as the base template wrote it (``get_full_name``,
    else the username; the role's label, else "管理员"), escaped."""
    language = get_language() or ""
    labels = _ROLE_LABELS.get(language)
    if labels is None:
        labels = _ROLE_LABELS[language] = {value: str(label) for value, label in Role.choices}
    role = labels.get(user.role, user.role) or gettext_now("管理员")
    name = user.get_full_name() or user.username
    return mark_safe(f"{escape(str(name))} · {escape(str(role))}")  # noqa: S308 - escaped


def _links_html(nav: list[dict]) -> str:
    """Return the menu's links as HTML, written here: through the template's loop they cost
    ~0.6 ms of every signed-in page (issue 17 item 3). Every value is escaped."""
    unread = escape(gettext_now("未读"))
    links = []
    for item in nav:
        current = ' class="active" aria-current="page"' if item["active"] else ""
        badge = (
            f' <span class="badge" title="{unread}">{item["badge"]}</span>'
            if item.get("badge")
            else ""
        )
        links.append(
            f'<a href="{escape(item["url"])}"{current}>{escape(str(item["label"]))}{badge}</a>'
        )
    return mark_safe("".join(links))  # noqa: S308 - every value above is escaped


def _badges_html(nav: list[dict]) -> str:
    """Return the menu button's badges (a badge is a number) as HTML."""
    return mark_safe(  # noqa: S308 - integers only
        "".join(
            f' <span class="badge">{int(item["badge"])}</span>' for item in nav if item.get("badge")
        )
    )
