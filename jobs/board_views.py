"""The public campaign job board (no login): what a worker sees after scanning the QR code.

The list part of the page is rendered once per campaign version, language, filter and
page and then served from the cache; a warm request costs one query (the campaign) and
two cache reads.
"""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from jobs.board import (
    BOARD_CACHE_SECONDS,
    BOARD_PAGE_SIZE,
    board_data,
    board_filters,
    board_fragment_key,
    board_rows,
)
from laborbridge import access

_MAX_PAGE = 10_000


def _campaign(code: str):
    return get_object_or_404(access.campaigns_public(), code=code)


def _page_number(raw: str) -> int:
    return min(int(raw), _MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


@require_GET
def board(request, campaign_code: str):
    """List the open vacancies of verified employers in a campaign, filterable, paginated."""
    campaign = _campaign(campaign_code)
    occupation, district, sort = board_filters(
        request.GET.get("occupation", ""),
        request.GET.get("district", ""),
        request.GET.get("sort", "new"),
    )
    number = _page_number(request.GET.get("page", "1"))
    key = board_fragment_key(campaign.pk, get_language(), occupation, district, sort, number)
    html = cache.get(key)
    if html is None:
        html = _render_list(campaign, occupation, district, sort, number)
        cache.set(key, html, timeout=BOARD_CACHE_SECONDS)
    return render(request, "board/board.html", {"campaign": campaign, "list_html": html})


def _render_list(campaign, occupation: str, district: str, sort: str, number: int) -> str:
    data = board_data(campaign)
    # Unknown filter values (an occupation no longer on the board) simply show everything.
    if occupation not in {o["code"] for o in data.occupations}:
        occupation = ""
    if district not in {d["code"] for d in data.districts}:
        district = ""
    rows = board_rows(data, occupation=occupation, district=district, sort=sort)
    page = Paginator(rows, BOARD_PAGE_SIZE).get_page(number)
    filters = {
        key: value
        for key, value in (("occupation", occupation), ("district", district), ("sort", sort))
        if value and not (key == "sort" and value == "new")
    }
    return render_to_string(
        "board/_list.html",
        {
            "campaign": campaign,
            "data": data,
            "page": page,
            "occupation": occupation,
            "district": district,
            "sort": sort,
            "querystring": urlencode(filters),
            "english": (get_language() or "").startswith("en"),
        },
    )


@require_GET
def board_vacancy(request, campaign_code: str, pk: int):
    """One vacancy of the board in full: requirements, benefits, board and lodging."""
    campaign = _campaign(campaign_code)
    vacancy = get_object_or_404(
        access.vacancies_public(campaign)
        .select_related("employer", "occupation", "district")
        .prefetch_related("required_certificates"),
        pk=pk,
    )
    return render(request, "board/vacancy.html", {"campaign": campaign, "vacancy": vacancy})
