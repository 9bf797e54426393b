"""Template helpers for charts and masked values."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def series_max(series) -> int:
    return max((point["value"] for point in series), default=0)


@register.simple_tag
def percent_of(value, peak) -> str:
    if not peak:
        return "0"
    return f"{max(1.0, 100.0 * float(value) / float(peak)) if value else 0:.1f}"


# Names shown before "等 N 人" when a travel group is written as its members.
GROUP_NAMES_SHOWN = 4


@register.filter
def group_members(group, without=None) -> str:
    """Return a travel group as people know it — its members' names ("王小明、王大山") —
    leaving out ``without`` (the worker whose page or row this is). Uses ``group.members``,
    prefetched by list pages."""
    if group is None:
        return ""
    skip = getattr(without, "pk", without)
    names = [m.name for m in group.members.all() if m.pk != skip]
    if len(names) > GROUP_NAMES_SHOWN:
        return _("%(names)s 等 %(n)s 人") % {
            "names": "、".join(names[:GROUP_NAMES_SHOWN]),
            "n": len(names),
        }
    return "、".join(names)


@register.filter
def readable_name(name: str) -> str:
    """Return ``name`` if people gave it (it has Chinese characters: "王家"), "" for a code
    made by an import or the demo ("621102101-3")."""
    return name if any(ord(c) > 0x2E7F for c in name or "") else ""
