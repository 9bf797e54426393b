"""The shared pagination links keep the page's filters."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def test_page_links_keep_every_filter():
    request = RequestFactory().get("/x/", {"q": "张", "unread": "1", "page": "2"})
    page = Paginator(list(range(30)), 10).page(2)
    html = render_to_string("includes/pagination.html", {"page": page}, request=request)
    assert "?q=%E5%BC%A0&amp;unread=1&amp;page=1" in html
    assert "?q=%E5%BC%A0&amp;unread=1&amp;page=3" in html
