"""Pages of the worker registry for county officials (and coordinators, read-only)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from laborbridge import access


@login_required
def worker_list(request):
    workers = access.workers_visible_to(request.user).select_related("home_county", "home_township")
    query = request.GET.get("q", "").strip()
    if query:
        workers = workers.filter(name__contains=query)
    page = Paginator(workers, 50).get_page(request.GET.get("page"))
    return render(request, "workers/worker_list.html", {"page": page, "query": query})


@login_required
def worker_detail(request, pk: int):
    worker = get_object_or_404(
        access.workers_visible_to(request.user).select_related(
            "home_county", "home_township", "home_village"
        ),
        pk=pk,
    )
    return render(request, "workers/worker_detail.html", {"worker": worker})
