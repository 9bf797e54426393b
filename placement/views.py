"""Pages of the employment history: the record form (the timeline is a worker-page section)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from laborbridge import access
from placement import selectors, services
from placement.forms import EmploymentEventForm


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
def event_record(request, pk: int):
    """Show an employment's history and record one event on it."""
    employment = get_object_or_404(selectors.employments_for_history(request.user), pk=pk)
    writable = access.employments_history_writable_by(request.user).filter(pk=pk).exists()
    if (
        not writable
        and not access.employments_leaving_recordable_by(request.user).filter(pk=pk).exists()
    ):
        raise PermissionDenied(_("您无权记录该劳动力的就业经历。"))
    form = EmploymentEventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            services.record_event(actor=request.user, employment=employment, **values)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已记录。"))
            if access.workers_visible_to(request.user).filter(pk=employment.worker_id).exists():
                return redirect("workers:detail", pk=employment.worker_id)
            return redirect("placement:event_record", pk=pk)
    return render(
        request,
        "placement/event_form.html",
        {
            "form": form,
            "employment": employment,
            "history": selectors.employment_history(employment),
        },
    )
