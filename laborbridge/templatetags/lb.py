"""Template helpers for charts, masked values, travel groups and keyset page links."""

from html import escape

from django import template
from django.template.defaulttags import querystring
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from laborbridge.widgets import rendered_cached

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
    return companions_label([m.name for m in group.members.all() if m.pk != skip])


def many_companions_text() -> str:
    """The "… 等 N 人" text of a large group in the current language (a list of rows takes it
    once and gives it to every ``companions_label``)."""
    return _("%(names)s 等 %(n)s 人")


def companions_label(names: list[str], many: str | None = None) -> str:
    """Return members' names as a travel group is shown ("王小明、王大山", "… 等 6 人");
    ``many`` is ``many_companions_text()`` when the caller has it already."""
    if len(names) > GROUP_NAMES_SHOWN:
        return (many or many_companions_text()) % {
            "names": "、".join(names[:GROUP_NAMES_SHOWN]),
            "n": len(names),
        }
    return "、".join(names)


@register.filter
def readable_name(name: str) -> str:
    """Return ``name`` if people gave it (it has Chinese characters: "王家"), "" for a code
    made by an import or the demo ("621102101-3")."""
    return name if any(ord(c) > 0x2E7F for c in name or "") else ""


class _ProcessCachedNode(template.Node):
    def __init__(self, key: str, nodelist):
        self.key = key
        self.nodelist = nodelist

    def render(self, context) -> str:
        return rendered_cached(("template", self.key), lambda: self.nodelist.render(context))


@register.tag
def process_cached(parser, token):
    """``{% process_cached "key" %}…{% endprocess_cached %}``: the block rendered once a
    process and language and kept ``OPTIONS_TTL_SECONDS`` (``widgets.rendered_cached``).

    Only for markup that depends on the language alone — never on the request, the user or
    people's records (no CSRF token, no query string inside): e.g. a blank form's fields,
    which Django renders one widget template each (~0.2 ms a field)."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('usage: {% process_cached "key" %}')
    nodelist = parser.parse(("endprocess_cached",))
    parser.delete_first_token()
    return _ProcessCachedNode(bits[1][1:-1], nodelist)


@register.simple_tag(takes_context=True)
def keyset_pagination(context, page) -> str:
    """``{% keyset_pagination page %}``: the links of a keyset page
    (``laborbridge.pagination.KeysetPage``) — first, previous, "page n of N, count items",
    next — each keeping the page's other query parameters. Written here: through an included
    template with three ``{% querystring %}`` and a ``{% blocktranslate %}`` it was ~0.25 ms
    of every list page (issue 17 item 3)."""
    if not page.has_other_pages():
        return ""

    def link(cursor) -> str:
        return escape(querystring(context, cursor=cursor))

    parts = [f'\n<nav class="pagination" aria-label="{escape(_("分页"))}">\n  ']
    if page.has_previous():
        if page.number > 2:
            parts.append(f'<a href="{link(None)}">« {escape(_("第一页"))}</a>')
        parts.append(
            f'\n  <a href="{link(page.previous_cursor)}" rel="prev">‹ {escape(_("上一页"))}</a>'
        )
    # as {% blocktranslate %} writes it: the values localized and escaped, the text as is
    numbers = {"n": page.number, "total": page.num_pages, "count": page.count}
    label = _("第 %(n)s / %(total)s 页，共 %(count)s 条") % {
        key: escape(str(localize(value))) for key, value in numbers.items()
    }
    parts.append(f"\n  <span>{label}</span>\n  ")
    if page.has_next():
        parts.append(f'<a href="{link(page.next_cursor)}" rel="next">{escape(_("下一页"))} ›</a>')
    parts.append("\n</nav>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
