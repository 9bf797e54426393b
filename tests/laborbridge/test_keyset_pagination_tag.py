"""{% keyset_pagination page %} writes what the template it replaced wrote (the links of a
keyset page keeping the other query parameters, the label localized), in both languages."""

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils import translation

from laborbridge.pagination import KeysetPage

# templates/workers/_keyset_pagination.html as it was
INCLUDED = Template(
    "{% load i18n %}{% if page.has_other_pages %}\n"
    '<nav class="pagination" aria-label="{% translate \'分页\' %}">\n'
    "  {% if page.has_previous %}{% if page.number > 2 %}"
    '<a href="{% querystring cursor=None %}">« {% translate "第一页" %}</a>{% endif %}\n'
    '  <a href="{% querystring cursor=page.previous_cursor %}" rel="prev">‹ '
    '{% translate "上一页" %}</a>{% endif %}\n'
    "  <span>{% blocktranslate with n=page.number total=page.num_pages count=page.count %}"
    "第 {{ n }} / {{ total }} 页，共 {{ count }} 条{% endblocktranslate %}</span>\n"
    '  {% if page.has_next %}<a href="{% querystring cursor=page.next_cursor %}" rel="next">'
    '{% translate "下一页" %} ›</a>{% endif %}\n'
    "</nav>{% endif %}"
)
TAG = Template("{% load lb %}{% keyset_pagination page %}")


def _page(number, previous, following, count=51234):
    return KeysetPage(
        object_list=[1],
        number=number,
        count=count,
        size=50,
        next_cursor=following,
        previous_cursor=previous,
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "page",
    [
        _page(1, None, "n1"),
        _page(2, "p2", "n2"),
        _page(7, "p<7>", None),
        _page(1, None, None, count=3),
        _page(1000, "p&x", "n\"'", count=1_000_000),
    ],
)
@pytest.mark.parametrize("query", [{}, {"cursor": "old"}, {"status": "registered", "s": "t&k"}])
def test_the_tag_writes_what_the_template_wrote(language, page, query):
    request = RequestFactory().get("/workers/", query)
    with translation.override(language):
        expected = INCLUDED.render(RequestContext(request, {"page": page}))
        written = TAG.render(RequestContext(request, {"page": page}))
    assert written == expected
    if page.has_other_pages():
        assert "<nav" in written
