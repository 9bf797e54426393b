"""Pages of the worker registry for county officials (coordinators read, admins everything).

Nothing personal travels in a URL: the search box posts its term, which is kept in the
session behind a short random token (``?s=…``), so an ID number or phone never reaches an
access log; filters in the query string are codes only.
"""

from __future__ import annotations

import secrets
from functools import partial
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from laborbridge import access, registry, spreadsheets
from laborbridge.context_processors import count_with_menu
from laborbridge.identifiers import mask_id_number, normalize_id_number
from laborbridge.models import Role
from laborbridge.pagination import CURSOR_PARAM, keyset_page
from laborbridge.security import safe_next
from laborbridge.widgets import GivenOptionsSelect, rendered_cached
from workers import counts, selectors, services
from workers.forms import (
    BulkConsentForm,
    CertificateFormSet,
    ConsentForm,
    ConsentWithdrawForm,
    ExportForm,
    RevealForm,
    SkillFormSet,
    StatusForm,
    WorkerForm,
)
from workers.models import ConsentMethod, ConsentStatus, Worker

PAGE_SIZE = 50
_SEARCHES = "worker_searches"
_READERS = access.REGISTRY_READERS
_EDITORS = access.OFFICIALS


def _require(user, roles) -> None:
    if not access.has_role(user, *roles):
        raise PermissionDenied(_("您无权访问劳动力名册。"))


def _remember_search(request, term: str) -> str:
    searches = dict(request.session.get(_SEARCHES, {}))
    token = secrets.token_urlsafe(6)
    searches[token] = term.strip()[:60]
    request.session[_SEARCHES] = dict(list(searches.items())[-20:])
    return token


def _search_term(request, params: QueryDict) -> str:
    """Return the search term the session keeps behind the params' token, or ""."""
    token = params.get("s", "")
    return request.session.get(_SEARCHES, {}).get(token, "") if token else ""


def _filtered(request, params: QueryDict, workers=None):
    """Return the filter set (None when ``params`` name no filter) and the filtered,
    searched workers for list or export params (of ``workers``, by default the user's
    workers as exports read them)."""
    filters, workers = selectors.worker_filtered(
        params,
        selectors.worker_list_for(request.user) if workers is None else workers,
        request,
    )
    term = _search_term(request, params)
    if term:
        workers = selectors.worker_search(workers, term)
    return filters, workers, term


def _filters_html(request, filters) -> str:
    """Return the filter form's fields as HTML, rendered once a process for a scope and its
    chosen values (13 fields through Django's widget templates: ~half the page's CPU).
    The form shows reference data (townships, occupations), the wish cities the scope's
    workers name and the chosen values (a travel group is chosen by a row's link, not
    listed), so it is the same for every user of a scope; a chosen group's new name or a
    newly wished city shows after ``OPTIONS_TTL_SECONDS`` at most."""
    chosen = tuple(
        (name, tuple(request.GET.getlist(name)))
        for name in selectors.WorkerFilter.base_filters
        if name in request.GET
    )
    user = request.user
    key = ("worker_filters", user.is_superuser, user.county_id, user.township_id, chosen)

    def render() -> str:
        form = (filters or selectors.WorkerFilter(request.GET, request=request)).form
        cities = form.fields["wish_city"]
        cities.widget = GivenOptionsSelect(
            selectors.wish_city_choices_for(user, request.GET.getlist("wish_city")),
            empty_label=cities.empty_label,
        )
        return render_to_string("workers/_worker_filters.html", {"form": form})

    return rendered_cached(key, render)


# Escaped text of the rows' labels and place names (a few hundred distinct strings): html.escape
# was ~500 calls a page. Past this many entries the memo starts afresh.
_ESCAPED: dict[str, str] = {}
ESCAPED_MAX_ENTRIES = 4096


def _escaped(text: str) -> str:
    found = _ESCAPED.get(text)
    if found is None:
        if len(_ESCAPED) >= ESCAPED_MAX_ENTRIES:
            _ESCAPED.clear()
        found = _ESCAPED[text] = escape(text)
    return found


def _escaped_all(texts: list[str]) -> list[str]:
    """Return ``texts`` escaped, by one ``escape`` of them joined by NULs (escaping is per
    character and leaves NULs alone); one by one if a text holds a NUL itself."""
    escaped = escape("\x00".join(texts)).split("\x00")
    return escaped if len(escaped) == len(texts) else [escape(text) for text in texts]


def _rows_html(rows: list[dict], may_edit: bool) -> str:
    """Return the list's table rows as HTML, written here rather than by the template: 50
    rows of 14 values through Django's template engine cost ~7 ms a page (~1,200 nodes
    resolved and escaped one by one), these f-strings ~0.3 ms. Same markup as a template
    would give; every value is escaped (the rows' own texts in one ``escape``, labels and
    place names through a memo; escaping is per character, so a translated text's escaped
    parts around an escaped value are the escaped whole)."""
    detail = reverse("workers:detail", args=[0]).removesuffix("0/")  # one reverse a page
    select = escape(_("选择 %(name)s"))
    together = escape(_("与%(companions)s同行"))
    texts = iter(
        _escaped_all(
            [
                text
                for row in rows
                for text in (
                    row["name"],
                    row["companions"],
                    row["id_number_masked"],
                    row["phone_masked"],
                )
            ]
        )
    )
    html = []
    for row in rows:
        name, companions, id_number, phone = next(texts), next(texts), next(texts), next(texts)
        check = (
            f'<td><input type="checkbox" name="worker" value="{row["pk"]}" aria-label="'
            f'{select % {"name": name}}"></td>'
            if may_edit
            else ""
        )
        group = (
            f' <a class="badge" href="?travel_group={row["travel_group_id"]}" '
            f'title="{_escaped(row["travel_group_kind"])}">'
            f"{together % {'companions': companions}}</a>"
            if row["companions"]
            else ""
        )
        village = f" · {_escaped(row['village'])}" if row["village"] else ""
        consent = "tag-ok" if row["consent_given"] else "tag-warn"
        html.append(
            f'<tr>{check}<td><a href="{detail}{row["pk"]}/">{name}</a>{group}</td>'
            f'<td class="mono">{id_number}</td>'
            f"<td>{_escaped(row['sex'])}</td><td>{row['age']}</td>"
            f'<td class="mono">{phone}</td>'
            f"<td>{_escaped(row['township'])}{village}</td>"
            f"<td>{_escaped(row['poverty_status'])}</td>"
            f'<td><span class="badge {consent}">{_escaped(row["consent_status"])}</span></td>'
            f'<td><span class="badge">{_escaped(row["status"])}</span></td></tr>'
        )
    return mark_safe("\n".join(html))  # noqa: S308 - every value above is escaped


@login_required
def worker_list(request):
    """List, search and filter the county's workers; bulk actions on the selected ones."""
    _require(request.user, _READERS)
    if request.method == "POST":
        params = request.GET.copy()
        params.pop(CURSOR_PARAM, None)
        params.pop("s", None)
        term = request.POST.get("q", "").strip()
        if term:
            params["s"] = _remember_search(request, term)
        return redirect(f"{reverse('workers:list')}?{params.urlencode()}")
    read = filters = workers = None
    if not selectors.worker_filter_named(request.GET) and not _search_term(request, request.GET):
        # The unfiltered rows of a county official or an admin are read by SQL compiled
        # once a process (no queryset built); None for the other scopes.
        read = selectors.worker_page_reader(request.user)
    if read is None:
        filters, workers, term = _filtered(
            request, request.GET, access.workers_visible_to(request.user)
        )
    else:
        term = ""
    unfiltered = filters is None and not term
    # Keyset pages: a deep page seeks the index (home_county, name, id) instead of OFFSET.
    page = keyset_page(
        None if read else selectors.worker_page_rows_of(workers),
        request.GET.get(CURSOR_PARAM),
        keys=selectors.WORKER_LIST_KEYS,
        size=PAGE_SIZE,
        counted=workers,
        # the unfiltered list's count may be kept in Redis until workers change: read in
        # one round trip with the menu's badges
        count=partial(count_with_menu, request, counts.worker_list_badge(request.user))
        if unfiltered
        else None,
        read=read,
    )
    may_edit = access.has_role(request.user, *_EDITORS)
    export_params = request.GET.copy()
    export_params.pop(CURSOR_PARAM, None)
    return render(
        request,
        "workers/worker_list.html",
        {
            "page": page,
            "rows_html": _rows_html(selectors.worker_page_rows(page.object_list), may_edit),
            "filters_html": _filters_html(request, filters),
            # An ID number searched for is shown masked, like everywhere else.
            "term": "" if selectors.is_id_number_like(term) else term,
            "term_label": mask_id_number(normalize_id_number(term))
            if selectors.is_id_number_like(term)
            else term,
            "may_edit": may_edit,
            "may_import": access.has_role(request.user, Role.COUNTY_OFFICIAL),
            # Blank forms shown only inside {% process_cached %} blocks: the template calls
            # these when it renders a block, once a process (three forms built on every
            # request were ~0.5 ms).
            "bulk_consent_form": partial(BulkConsentForm, prefix="consent"),
            "export_form": partial(ExportForm, prefix="export"),
            "export_all_form": partial(ExportForm, prefix="export", auto_id="all_%s"),
            "export_query": export_params.urlencode(),
            # request.GET.s in the template: a failed dict lookup, then attribute and index
            "search_token": request.GET.get("s", ""),
        },
    )


def _formsets(request, worker: Worker | None):
    skill_initial = certificate_initial = None
    if worker is not None:
        skill_initial = [
            {"occupation": s.occupation_id, "level": s.level, "years": s.years}
            for s in worker.skills.all()
        ]
        certificate_initial = [
            {
                "certificate_type": c.certificate_type_id,
                "number": c.number,
                "issued_on": c.issued_on,
                "expires_on": c.expires_on,
            }
            for c in worker.certificates.all()
        ]
    data = request.POST if request.method == "POST" else None
    return (
        SkillFormSet(data, prefix="skills", initial=skill_initial),
        CertificateFormSet(data, prefix="certificates", initial=certificate_initial),
    )


def _add_service_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _travel_group(request, form: WorkerForm, county):
    name = form.cleaned_data.get("new_travel_group", "").strip()
    if name:
        return services.travel_group_create(actor=request.user, home_county=county, name=name)
    return form.cleaned_data.get("travel_group")


def _values(form: WorkerForm, skills, certificates) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "phone": data["phone"],
        "home_township": data.get("home_township"),
        "home_village": data.get("home_village"),
        "home_village_name": data.get("home_village_name", ""),
        "poverty_status": data["poverty_status"],
        "education": data.get("education", ""),
        "labor_brand": data.get("labor_brand"),
        "wish_cities": list(data.get("wish_cities") or []),
        "wish_occupations": list(data.get("wish_occupations") or []),
        "min_wage": data.get("min_wage"),
        "earliest_departure": data.get("earliest_departure"),
        "accepts_dormitory": data.get("accepts_dormitory", False),
        "accepts_shift_work": data.get("accepts_shift_work", False),
        "note": data.get("note", ""),
        "skills": [s for s in (f.as_input() for f in skills.forms) if s],
        "certificates": [c for c in (f.as_input() for f in certificates.forms) if c],
    }


def _form_context(form, skills, certificates, worker) -> dict:
    return {
        "form": form,
        "skills": skills,
        "certificates": certificates,
        "worker": worker,
        "identity_fields": [
            "name",
            "id_number",
            "phone",
            "home_county",
            "home_township",
            "home_village_name",
            "poverty_status",
            "education",
            "labor_brand",
            "travel_group",
            "new_travel_group",
            "note",
        ],
        "wish_fields": [
            "wish_cities",
            "wish_occupations",
            "min_wage",
            "earliest_departure",
            "accepts_dormitory",
            "accepts_shift_work",
        ],
        "consent_fields": ["consent_given_on", "consent_method", "consent_witness"],
    }


@login_required
def worker_create(request):
    """Register one worker with the field-by-field form."""
    _require(request.user, _EDITORS)
    form = WorkerForm(request.POST or None, user=request.user)
    skills, certificates = _formsets(request, None)
    if (
        request.method == "POST"
        and form.is_valid()
        and skills.is_valid()
        and certificates.is_valid()
    ):
        county = form.cleaned_data["home_county"]
        try:
            with transaction.atomic():
                worker = services.worker_register(
                    actor=request.user,
                    id_number=form.cleaned_data["id_number"],
                    home_county=county,
                    travel_group=_travel_group(request, form, county),
                    consent=form.consent_input(),
                    **_values(form, skills, certificates),
                )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("已登记 %(name)s。") % {"name": worker.name})
            return redirect("workers:detail", pk=worker.pk)
    return render(
        request, "workers/worker_form.html", _form_context(form, skills, certificates, None)
    )


@login_required
def worker_edit(request, pk: int):
    worker = get_object_or_404(
        selectors.worker_detail_for(request.user).filter(
            pk__in=access.workers_editable_by(request.user).values("pk")
        ),
        pk=pk,
    )
    form = WorkerForm(
        request.POST or None,
        user=request.user,
        worker=worker,
        initial=WorkerForm.initial_for(worker),
    )
    skills, certificates = _formsets(request, worker)
    if (
        request.method == "POST"
        and form.is_valid()
        and skills.is_valid()
        and certificates.is_valid()
    ):
        try:
            with transaction.atomic():
                services.worker_update(
                    actor=request.user,
                    worker=worker,
                    travel_group=_travel_group(request, form, worker.home_county),
                    **_values(form, skills, certificates),
                )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("workers:detail", pk=worker.pk)
    return render(
        request, "workers/worker_form.html", _form_context(form, skills, certificates, worker)
    )


@login_required
def worker_detail(request, pk: int):
    # Object pages answer 404 outside the user's scope (HR included), never 403: ids of
    # other counties' workers are not confirmed.
    worker = get_object_or_404(selectors.worker_detail_for(request.user), pk=pk)
    may_edit = access.workers_editable_by(request.user).filter(pk=worker.pk).exists()
    return render(
        request,
        "workers/worker_detail.html",
        {
            "worker": worker,
            "may_edit": may_edit,
            "wish_cities": [
                link.region for link in worker.wish_city_links.select_related("region")
            ],
            "wish_occupations": [
                link.occupation
                for link in worker.wish_occupation_links.select_related("occupation")
            ],
            "skills": worker.skills.select_related("occupation"),
            "certificates": worker.certificates.select_related("certificate_type"),
            "consents": worker.consents.select_related("recorded_by", "withdrawn_by"),
            "group_members": selectors.travel_group_members(worker),
            # Sections of the floors above (the worker's matches …), each in the user's scope.
            "sections": registry.page_sections_for("workers:detail", request, worker),
            "employments": worker.employments.select_related("employer", "vacancy"),
            "history": selectors.worker_history(worker),
            "reveal_form": RevealForm(),
            "consent_form": ConsentForm(),
            "withdraw_form": ConsentWithdrawForm(),
            "status_form": StatusForm(worker=worker),
            "ConsentStatus": ConsentStatus,
        },
    )


def _editable_worker(request, pk: int) -> Worker:
    return get_object_or_404(access.workers_editable_by(request.user), pk=pk)


@never_cache
@login_required
def worker_reveal(request, pk: int):
    """Show the full ID number or phone once, after the official gives a reason (audited)."""
    worker = _editable_worker(request, pk)
    form = RevealForm(
        request.POST or None, initial={"field": request.GET.get("field", "id_number")}
    )
    number = None
    if request.method == "POST" and form.is_valid():
        try:
            number = services.worker_reveal(
                actor=request.user,
                worker=worker,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_service_error(form, error)
    template = (
        "workers/_reveal.html"
        if request.headers.get("HX-Request")
        else "workers/worker_reveal.html"
    )
    response = render(request, template, {"worker": worker, "form": form, "number": number})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def worker_consent(request, pk: int):
    worker = _editable_worker(request, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.worker_consent_record(
                actor=request.user, worker=worker, consent=form.as_input()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已记录授权。"))
    else:
        messages.error(request, _format_errors(form))
    return redirect("workers:detail", pk=worker.pk)


@login_required
@require_POST
def worker_consent_withdraw(request, pk: int):
    worker = _editable_worker(request, pk)
    form = ConsentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.worker_consent_withdraw(
                actor=request.user,
                worker=worker,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已记录撤回授权。"))
    else:
        messages.error(request, _format_errors(form))
    return redirect("workers:detail", pk=worker.pk)


@login_required
@require_POST
def worker_status(request, pk: int):
    worker = _editable_worker(request, pk)
    form = StatusForm(request.POST, worker=worker)
    if form.is_valid():
        try:
            services.worker_set_status(
                actor=request.user,
                worker=worker,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("状态已更新。"))
    else:
        messages.error(request, _format_errors(form))
    return redirect("workers:detail", pk=worker.pk)


def _format_errors(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    return spreadsheets.download(data, filename)


def _export(request, workers, form: ExportForm) -> HttpResponse:
    try:
        data = services.worker_export_workbook(
            actor=request.user,
            workers=workers,
            full_id_numbers=form.cleaned_data["full_id_numbers"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("workers:list")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(data, _("劳动力花名册_%(stamp)s.xlsx") % {"stamp": stamp})


@login_required
@require_POST
def workers_bulk(request):
    """Act on the ticked workers: mark their consent, or export them."""
    _require(request.user, _EDITORS)
    ids = [int(pk) for pk in request.POST.getlist("worker") if pk.isdigit()]
    # "//evil.example" starts with "/" too: only a URL of this site is followed.
    back = safe_next(request, request.POST.get("next"), reverse("workers:list"))
    if not ids:
        messages.error(request, _("请先勾选劳动力。"))
        return redirect(back)
    workers = access.workers_editable_by(request.user).filter(pk__in=ids)
    if request.POST.get("action") == "export":
        form = ExportForm(request.POST, prefix="export")
        if not form.is_valid():
            messages.error(request, _format_errors(form))
            return redirect(back)
        return _export(request, workers, form)
    form = BulkConsentForm(request.POST, prefix="consent")
    if not form.is_valid():
        messages.error(request, _format_errors(form))
        return redirect(back)
    try:
        count = services.workers_consent_record_bulk(
            actor=request.user,
            workers=workers,
            consent=services.ConsentInput(
                given_on=form.cleaned_data["given_on"],
                method=form.cleaned_data["method"] or ConsentMethod.SIGNED_PAPER,
                witness=form.cleaned_data["witness"],
            ),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        skipped = len(ids) - count
        messages.success(
            request,
            _("已为 %(count)d 人记录授权。") % {"count": count}
            + (_("另有 %(n)d 人已授权，未重复记录。") % {"n": skipped} if skipped else ""),
        )
    return redirect(back)


@login_required
@require_POST
def workers_export(request):
    """Export the county roster, or the part the list's filters and search select."""
    _require(request.user, _READERS)
    form = ExportForm(request.POST, prefix="export")
    if not form.is_valid():
        messages.error(request, _format_errors(form))
        return redirect("workers:list")
    _filters, workers, _term = _filtered(request, QueryDict(request.POST.get("query", "")))
    return _export(request, workers, form)
