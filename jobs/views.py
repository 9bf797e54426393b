"""Pages for employers and vacancies."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from laborbridge import access


@login_required
def vacancy_list(request):
    vacancies = access.vacancies_visible_to(request.user).select_related(
        "employer", "occupation", "district"
    )
    page = Paginator(vacancies, 50).get_page(request.GET.get("page"))
    return render(request, "jobs/vacancy_list.html", {"page": page})


@login_required
def vacancy_detail(request, pk: int):
    vacancy = get_object_or_404(
        access.vacancies_visible_to(request.user).select_related(
            "employer", "occupation", "district"
        ),
        pk=pk,
    )
    return render(request, "jobs/vacancy_detail.html", {"vacancy": vacancy})


@login_required
def employer_list(request):
    employers = access.employers_visible_to(request.user).select_related("district", "city")
    page = Paginator(employers, 50).get_page(request.GET.get("page"))
    return render(request, "jobs/employer_list.html", {"page": page})
