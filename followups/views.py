"""Pages of follow-ups: the liaison's placed workers."""

from django.core.paginator import Paginator
from django.shortcuts import render

from followups import selectors
from laborbridge import access
from workers.models import EmploymentStatus

PAGE_SIZE = 50


@access.require_role(*access.LIAISONS)
def placed_list(request):
    """List the placed workers of the liaison's districts (在岗人员), newest arrivals first."""
    status = request.GET.get("status", "")
    rows = selectors.placed_list_for(request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "followups/placed_list.html",
        {"page": page, "status": status, "statuses": EmploymentStatus.choices},
    )
