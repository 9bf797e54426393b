"""API for the worker registry: scoped, ID numbers and phones always masked.

Search by ID number or phone is a POST (``/workers/search/``) so the value never appears in
a URL or an access log; revealing a full number is a POST with a reason and is audited.
What the worker page does is here too: consent recorded and withdrawn, status moves, consent
for many workers at once, and the official's decisions on QR-code signups (``/signups/``).
"""

from __future__ import annotations

from collections import namedtuple

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from laborbridge import access, identifiers, spreadsheets
from laborbridge.api import ApiDateField, column_range
from laborbridge.imports.api import ImportJobViewSet
from laborbridge.models import CertificateType, LaborBrand, Occupation, Region
from laborbridge.pagination import KeysetPagination
from laborbridge.spreadsheets import XLSX_CONTENT_TYPE
from workers import counts, selectors, services, signups
from workers.importers import WorkerRosterImporter
from workers.models import (
    ConsentMethod,
    Education,
    PovertyStatus,
    SelfSignup,
    SkillLevel,
    Worker,
    WorkerSource,
    WorkerStatus,
)


class WorkerSkillOutputSerializer(serializers.Serializer):
    occupation = serializers.CharField(source="occupation.code")
    occupation_name = serializers.CharField(source="occupation.name_zh")
    level = serializers.IntegerField()
    years = serializers.IntegerField()


class WorkerCertificateOutputSerializer(serializers.Serializer):
    certificate_type = serializers.CharField(source="certificate_type.code")
    certificate_name = serializers.CharField(source="certificate_type.name_zh")
    number = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)


class WorkerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number_masked = serializers.CharField()
    phone_masked = serializers.CharField()
    birth_date = serializers.DateField()
    sex = serializers.CharField()
    home_county = serializers.CharField(source="home_county_id")
    home_township = serializers.CharField(source="home_township_id", allow_null=True)
    home_village = serializers.CharField(source="home_village_id", allow_null=True)
    home_village_name = serializers.CharField()
    poverty_status = serializers.CharField()
    education = serializers.CharField()
    status = serializers.CharField()
    consent_status = serializers.CharField()
    consent_given_on = serializers.DateField(allow_null=True)
    min_wage = serializers.IntegerField(allow_null=True)
    earliest_departure = serializers.DateField(allow_null=True)
    accepts_dormitory = serializers.BooleanField()
    accepts_shift_work = serializers.BooleanField()
    travel_group = serializers.CharField(source="travel_group.name", allow_null=True, default=None)
    source = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# The columns of an API list row (WorkerOutputSerializer's fields), read as named tuples: the
# selector's fields with the id, the travel group's name annotated rather than joined.
_ROW_COLUMNS = (
    "id",
    *("travel_group_name" if f == "travel_group__name" else f for f in selectors.API_ROW_FIELDS),
)


def worker_row_tuples(workers):
    """Return ``workers`` as the named tuples ``worker_rows`` reads (the travel group's name
    joined as ``travel_group_name``): 51 Worker and TravelGroup instances with deferred
    fields cost ~2 ms a page to build, the tuples ~0.2 ms."""
    return workers.annotate(travel_group_name=F("travel_group__name")).values_list(
        *_ROW_COLUMNS, named=True
    )


_ApiRow = namedtuple("_ApiRow", _ROW_COLUMNS)


def _api_rows(workers, alias: str):
    """The list API's rows of ``workers`` for ``selectors.worker_rows_reader``."""
    return worker_row_tuples(workers), _ApiRow


def _travel_group_name(worker) -> str | None:
    if isinstance(worker, Worker):
        return str(worker.travel_group.name) if worker.travel_group_id else None
    return None if worker.travel_group_name is None else str(worker.travel_group_name)


def worker_rows(workers) -> list[dict]:
    """Return ``WorkerOutputSerializer(workers, many=True).data`` as plain dicts, built
    directly: DRF resolves and converts each of the 23 fields through its field objects,
    ~60 µs a row, 3 ms of a 50-row page (half the list API's CPU); this is ~5 µs a row.
    ``workers`` are Worker instances (their travel group selected) or the named tuples of
    ``worker_row_tuples``. Same keys in the same order, same values (dates ISO, times in
    the current zone with "Z" for UTC, nulls kept); tests/workers/test_list_fast_paths.py
    compares the two."""
    zone = timezone.get_current_timezone()

    def day(value):
        return value.isoformat() if value else None

    def moment(value):
        if not value:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def text(value):
        return None if value is None else str(value)

    return [
        {
            "id": w.id,
            "name": str(w.name),
            "id_number_masked": str(w.id_number_masked),
            "phone_masked": str(w.phone_masked),
            "birth_date": day(w.birth_date),
            "sex": str(w.sex),
            "home_county": text(w.home_county_id),
            "home_township": text(w.home_township_id),
            "home_village": text(w.home_village_id),
            "home_village_name": str(w.home_village_name),
            "poverty_status": str(w.poverty_status),
            "education": str(w.education),
            "status": str(w.status),
            "consent_status": str(w.consent_status),
            "consent_given_on": day(w.consent_given_on),
            "min_wage": None if w.min_wage is None else int(w.min_wage),
            "earliest_departure": day(w.earliest_departure),
            "accepts_dormitory": bool(w.accepts_dormitory),
            "accepts_shift_work": bool(w.accepts_shift_work),
            "travel_group": _travel_group_name(w),
            "source": str(w.source),
            "created_at": moment(w.created_at),
            "updated_at": moment(w.updated_at),
        }
        for w in workers
    ]


class WorkerFilterBackend(DjangoFilterBackend):
    """The registry's filter backend, which skips ``WorkerFilter`` when the request names
    none of its filters: building one deep-copies 13 filters and their form fields and
    validates the form (~1.5 ms a request) to filter nothing."""

    def filter_queryset(self, request, queryset, view):
        params = request.query_params
        if not any(name in params for name in selectors.WorkerFilter.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class WorkerDetailOutputSerializer(WorkerOutputSerializer):
    labor_brand = serializers.CharField(source="labor_brand.code", allow_null=True, default=None)
    wish_cities = serializers.SerializerMethodField()
    wish_occupations = serializers.SerializerMethodField()
    skills = WorkerSkillOutputSerializer(many=True)
    certificates = WorkerCertificateOutputSerializer(many=True)
    note = serializers.CharField()

    def get_wish_cities(self, worker: Worker) -> list[str]:
        return [link.region_id for link in worker.wish_city_links.all()]

    def get_wish_occupations(self, worker: Worker) -> list[str]:
        return [link.occupation.code for link in worker.wish_occupation_links.all()]


class WorkerSkillInputSerializer(serializers.Serializer):
    occupation = serializers.SlugRelatedField(slug_field="code", queryset=Occupation.objects.all())
    level = serializers.ChoiceField(choices=SkillLevel.choices, default=SkillLevel.NONE)
    years = serializers.IntegerField(min_value=0, max_value=60, default=0)


# Certificates older than 2000 are still held (a welder's from 1985); none before 1950.
CERTIFICATE_EARLIEST_YEAR = 1950
# The Labour Law's minimum working age (jobs.models.LEGAL_WORKING_AGE; workers may not import
# jobs); a birth date more than 100 years back is a mistyped ID number, not a worker.
WORKER_AGE_MIN, WORKER_AGE_MAX = 16, 100


class WorkerCertificateInputSerializer(serializers.Serializer):
    certificate_type = serializers.SlugRelatedField(
        slug_field="code", queryset=CertificateType.objects.all()
    )
    number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    issued_on = ApiDateField(
        earliest=CERTIFICATE_EARLIEST_YEAR,
        required=False,
        allow_null=True,
        default=None,
        help_text="1950-01-01 to today.",
    )
    expires_on = ApiDateField(
        earliest=CERTIFICATE_EARLIEST_YEAR,
        required=False,
        allow_null=True,
        default=None,
        help_text="1950-2100, not before issued_on.",
    )

    def validate_issued_on(self, value):
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError(_("发证日期不能晚于今天。"))
        return value

    def validate(self, data):
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires < issued:
            raise serializers.ValidationError({"expires_on": [_("有效期不能早于发证日期。")]})
        return data


class WorkerConsentInputSerializer(serializers.Serializer):
    given_on = ApiDateField()
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    scope = serializers.ListField(
        child=serializers.CharField(), required=False, default=list(services.ALL_CONSENT_SCOPES)
    )
    witness = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class WorkerUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=20, required=False)
    home_township = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(level="township"), required=False, allow_null=True
    )
    home_village = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(level="village"), required=False, allow_null=True
    )
    home_village_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    poverty_status = serializers.ChoiceField(choices=PovertyStatus.choices, required=False)
    education = serializers.ChoiceField(
        choices=[("", ""), *Education.choices], required=False, allow_blank=True
    )
    labor_brand = serializers.SlugRelatedField(
        slug_field="code", queryset=LaborBrand.objects.all(), required=False, allow_null=True
    )
    wish_cities = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(level__in=["city", "county"]), many=True, required=False
    )
    wish_occupations = serializers.SlugRelatedField(
        slug_field="code", queryset=Occupation.objects.all(), many=True, required=False
    )
    min_wage = serializers.IntegerField(
        min_value=0, max_value=100_000, required=False, allow_null=True
    )
    earliest_departure = ApiDateField(required=False, allow_null=True)
    accepts_dormitory = serializers.BooleanField(required=False)
    accepts_shift_work = serializers.BooleanField(required=False)
    travel_group = serializers.CharField(
        max_length=50,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Travel group name in the worker's county; created when new.",
    )
    note = serializers.CharField(required=False, allow_blank=True)
    skills = WorkerSkillInputSerializer(many=True, required=False)
    certificates = WorkerCertificateInputSerializer(many=True, required=False)


class WorkerCreateInputSerializer(WorkerUpdateInputSerializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20)
    home_county = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(level="county"),
        required=False,
        help_text="Defaults to the official's county.",
    )
    consent = WorkerConsentInputSerializer(required=False)

    def validate_id_number(self, value):
        """Refuse an ID number whose birth date makes the worker under 16 or over 100."""
        try:
            number = identifiers.validate_id_number(value)
        except DjangoValidationError:
            return value  # the service names what is wrong with it
        born, today = identifiers.id_number_birth_date(number), timezone.localdate()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if not WORKER_AGE_MIN <= age <= WORKER_AGE_MAX:
            raise serializers.ValidationError(
                _(
                    "按身份证号中的出生日期（%(born)s），年龄为 %(age)s 岁，"
                    "不在 %(min)s 至 %(max)s 岁之间：请核对号码。"
                )
                % {
                    "born": born.isoformat(),
                    "age": age,
                    "min": WORKER_AGE_MIN,
                    "max": WORKER_AGE_MAX,
                }
            )
        return value


class WorkerSearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=60, help_text="Name, full ID number or phone")


class WorkerRevealInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class WorkerRevealOutputSerializer(serializers.Serializer):
    id_number = serializers.CharField()


class WorkerRevealPhoneOutputSerializer(serializers.Serializer):
    phone = serializers.CharField()


class WorkerExportInputSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    full_id_numbers = serializers.BooleanField(
        default=False, help_text="Full ID numbers and phones (needs a reason; audited)."
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WorkerConsentWithdrawInputSerializer(serializers.Serializer):
    withdrawn_on = ApiDateField(help_text="Not before the consent was given, not after today.")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WorkerStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=WorkerStatus.choices,
        help_text="The moves an official makes by hand: registered ↔ withdrawn, "
        "employed → returned, returned → registered or withdrawn.",
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# Consent for many workers in one request: a list page ticks at most 50, an import's worth of
# paper forms a few hundred; the write is one INSERT per services.CONSENT_BATCH rows.
CONSENT_BULK_MAX = 1000


class WorkerBulkConsentInputSerializer(WorkerConsentInputSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(**column_range(Worker, "id", min_value=1)),
        min_length=1,
        max_length=CONSENT_BULK_MAX,
        help_text=f"Workers of the official's county, at most {CONSENT_BULK_MAX}.",
    )


class WorkerBulkConsentOutputSerializer(serializers.Serializer):
    recorded = serializers.IntegerField(help_text="Consents recorded now.")
    already_given = serializers.IntegerField(help_text="Workers whose consent was already given.")


def _consent_input(data: dict) -> services.ConsentInput:
    return services.ConsentInput(
        given_on=data["given_on"],
        method=data["method"],
        scope=tuple(data["scope"]),
        witness=data["witness"],
    )


def _detail(worker: Worker) -> dict:
    """Return the detail body of ``worker`` as stored now (skills, wishes, consent …)."""
    fresh = WorkerRosterImporter.export_queryset(Worker.objects.filter(pk=worker.pk)).get()
    return WorkerDetailOutputSerializer(fresh).data


def _inputs(data: dict, county: Region, actor) -> dict:
    """Turn validated API input into ``worker_register`` / ``worker_update`` keywords."""
    values = dict(data)
    if "skills" in values:
        values["skills"] = [
            # .get: a PATCH (partial) does not fill the nested serializers' defaults.
            services.SkillInput(
                s["occupation"], int(s.get("level", SkillLevel.NONE)), s.get("years", 0)
            )
            for s in values["skills"]
        ]
    if "certificates" in values:
        values["certificates"] = [
            services.CertificateInput(
                c["certificate_type"], c.get("number", ""), c.get("issued_on"), c.get("expires_on")
            )
            for c in values["certificates"]
        ]
    if "travel_group" in values:
        name = (values["travel_group"] or "").strip()
        values["travel_group"] = (
            services.travel_group_create(actor=actor, home_county=county, name=name)
            if name
            else None
        )
    for key in ("home_village_name", "note"):
        if key in values and values[key] is None:
            values[key] = ""
    return values


class WorkerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Workers of the user's scope; ID numbers and phones masked."""

    permission_classes = [access.IsRegistryReader]
    filter_backends = [WorkerFilterBackend]
    filterset_class = selectors.WorkerFilter
    # ?cursor= pages seek the (home_county, name, id) index: page 100 costs what page 1 does.
    pagination_class = KeysetPagination
    keyset_keys = selectors.WORKER_LIST_KEYS

    def keyset_rows(self, workers):
        """The paginator reads a page's rows as ``worker_rows`` reads them (and counts
        ``workers`` themselves)."""
        return worker_row_tuples(workers)

    def _unfiltered_list(self) -> bool:
        """Whether this is the list with none of ``WorkerFilter``'s filters named."""
        params = self.request.query_params
        return self.action == "list" and not any(
            name in params for name in selectors.WorkerFilter.base_filters
        )

    def keyset_reader(self, workers):
        """The unfiltered list of a county official or an admin is read by SQL compiled once
        a process (``selectors.worker_rows_reader``): building the ORM's query was ~1 ms of
        every page; None (the ORM) for a filter, a search or another scope."""
        if not self._unfiltered_list():
            return None
        return selectors.worker_rows_reader(self.request.user, _api_rows)

    def keyset_count(self, workers) -> int:
        """The paginator's count of ``workers``: the list's, unfiltered, may be kept in Redis
        (``workers.counts``); a search or a filter is counted."""
        if self._unfiltered_list():
            return counts.worker_list_count(self.request.user)
        return workers.count()

    def get_permissions(self):
        if self.action in ("search", "export"):
            # POST only to keep ID numbers out of URLs: reading, so readers may.
            return [access.HasRole.of(*access.REGISTRY_READERS)()]
        return super().get_permissions()

    def get_queryset(self):
        if self.action in ("list", "search"):
            return selectors.worker_rows_for_api(self.request.user)
        workers = selectors.worker_list_for(self.request.user)
        if self.action == "retrieve":
            return WorkerRosterImporter.export_queryset(workers)
        return workers

    def list(self, request, *args, **kwargs):
        """ListModelMixin.list with the rows built by ``worker_rows``."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(worker_rows(page))

    def get_serializer_class(self):
        if self.action == "retrieve":
            return WorkerDetailOutputSerializer
        if self.action == "create":
            return WorkerCreateInputSerializer
        if self.action in ("update", "partial_update"):
            return WorkerUpdateInputSerializer
        return WorkerOutputSerializer

    @extend_schema(
        request=WorkerCreateInputSerializer, responses={201: WorkerDetailOutputSerializer}
    )
    def create(self, request):
        serializer = WorkerCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        county = data.pop("home_county", None) or request.user.county
        if county is None:
            raise ValidationError({"home_county": ["请选择户籍县区。"]})
        consent = data.pop("consent", None)
        with transaction.atomic():
            worker = services.worker_register(
                actor=request.user,
                home_county=county,
                consent=_consent_input(consent) if consent else None,
                source=WorkerSource.API,
                **_inputs(data, county, request.user),
            )
        return Response(_detail(worker), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WorkerUpdateInputSerializer, responses={200: WorkerDetailOutputSerializer}
    )
    def update(self, request, pk=None, partial=False):
        worker = self.get_object()
        if not access.workers_editable_by(request.user).filter(pk=worker.pk).exists():
            raise PermissionDenied()
        serializer = WorkerUpdateInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            services.worker_update(
                actor=request.user,
                worker=worker,
                **_inputs(dict(serializer.validated_data), worker.home_county, request.user),
            )
        return Response(_detail(worker))

    @extend_schema(
        request=WorkerUpdateInputSerializer, responses={200: WorkerDetailOutputSerializer}
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(
        request=WorkerSearchInputSerializer, responses={200: WorkerOutputSerializer(many=True)}
    )
    @action(detail=False, methods=["post"])
    def search(self, request):
        """Find workers by name, full ID number (exact) or phone, posted in the body."""
        serializer = WorkerSearchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workers = selectors.worker_search(
            self.filter_queryset(self.get_queryset()), serializer.validated_data["q"]
        )
        page = self.paginate_queryset(workers)
        return self.get_paginated_response(worker_rows(page))

    @extend_schema(
        request=WorkerRevealInputSerializer, responses={200: WorkerRevealOutputSerializer}
    )
    @action(detail=True, methods=["post"], url_path="reveal-id-number")
    def reveal_id_number(self, request, pk=None):
        """Return the full ID number; the reason, who and when are recorded."""
        return self._reveal(request, "id_number", services.worker_reveal_id_number)

    @extend_schema(
        request=WorkerRevealInputSerializer, responses={200: WorkerRevealPhoneOutputSerializer}
    )
    @action(detail=True, methods=["post"], url_path="reveal-phone")
    def reveal_phone(self, request, pk=None):
        """Return the full phone; the reason, who and when are recorded."""
        return self._reveal(request, "phone", services.worker_reveal_phone)

    def _reveal(self, request, key: str, reveal) -> Response:
        """Answer one revealed value under ``key``; ``reveal`` records the reason and actor."""
        worker = self.get_object()
        serializer = WorkerRevealInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        value = reveal(
            actor=request.user, worker=worker, reason=serializer.validated_data["reason"]
        )
        response = Response({key: value})
        response["Cache-Control"] = "no-store"  # never kept by a browser or proxy
        return response

    @extend_schema(
        request=WorkerExportInputSerializer,
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="xlsx"
            )
        },
    )
    @action(detail=False, methods=["post"])
    def export(self, request):
        """Export the filtered workers (or ``ids``) as a roster .xlsx in the template layout."""
        serializer = WorkerExportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        workers = self.filter_queryset(self.get_queryset())
        if data.get("ids"):
            workers = workers.filter(pk__in=data["ids"])
        content = services.worker_export_workbook(
            actor=request.user,
            workers=workers,
            full_id_numbers=data["full_id_numbers"],
            reason=data["reason"],
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return spreadsheets.download(content, f"roster-{stamp}.xlsx")

    @extend_schema(
        request=WorkerConsentInputSerializer, responses={200: WorkerDetailOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """Record the worker's consent (paper, self-service or witnessed verbal) and its scope."""
        worker = self.get_object()
        serializer = WorkerConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.worker_consent_record(
            actor=request.user, worker=worker, consent=_consent_input(serializer.validated_data)
        )
        return Response(_detail(worker))

    @extend_schema(
        request=WorkerConsentWithdrawInputSerializer,
        responses={200: WorkerDetailOutputSerializer},
    )
    @action(detail=True, methods=["post"], url_path="consent-withdrawal")
    def consent_withdrawal(self, request, pk=None):
        """Record that the worker withdrew their consent; they drop out of matching."""
        worker = self.get_object()
        serializer = WorkerConsentWithdrawInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.worker_consent_withdraw(
            actor=request.user, worker=worker, **serializer.validated_data
        )
        return Response(_detail(worker))

    @extend_schema(
        request=WorkerStatusInputSerializer, responses={200: WorkerDetailOutputSerializer}
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Move the worker between the statuses an official sets by hand (withdrawn, returned …)."""
        worker = self.get_object()
        serializer = WorkerStatusInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.worker_set_status(actor=request.user, worker=worker, **serializer.validated_data)
        return Response(_detail(worker))

    @extend_schema(
        request=WorkerBulkConsentInputSerializer,
        responses={200: WorkerBulkConsentOutputSerializer},
    )
    @action(detail=False, methods=["post"], url_path="consent-bulk")
    def consent_bulk(self, request):
        """Record the same consent for every listed worker who has none yet; say how many."""
        serializer = WorkerBulkConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = set(serializer.validated_data["ids"])
        found = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        if found != ids:
            unknown = sorted(ids - found)
            raise ValidationError(
                {
                    "ids": [
                        _("这些编号的劳动力不存在或不在您的范围内：%(ids)s。")
                        % {"ids": "、".join(str(pk) for pk in unknown[:20])}
                    ]
                }
            )
        recorded = services.workers_consent_record_bulk(
            actor=request.user,
            workers=Worker.objects.filter(pk__in=found).only("pk"),
            consent=_consent_input(serializer.validated_data),
        )
        return Response({"recorded": recorded, "already_given": len(ids) - recorded})


class WorkerImportViewSet(ImportJobViewSet):
    """Roster imports (花名册): upload → preview → commit; the official's own jobs."""

    kind = WorkerRosterImporter.kind


class SelfSignupOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.CharField(source="campaign.code")
    name = serializers.CharField()
    id_number_masked = serializers.CharField()
    phone_masked = serializers.CharField()
    home_county = serializers.CharField(source="home_county_id")
    home_township = serializers.CharField(source="home_township_id", allow_null=True)
    wish_occupations = serializers.SerializerMethodField()
    wish_cities = serializers.ListField(child=serializers.CharField(), source="wish_city_codes")
    min_wage = serializers.IntegerField(allow_null=True)
    earliest_departure = serializers.DateField(allow_null=True)
    accepts_dormitory = serializers.BooleanField()
    accepts_shift_work = serializers.BooleanField()
    consented_at = serializers.DateTimeField()
    status = serializers.CharField()
    worker = serializers.IntegerField(source="worker_id", allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_wish_occupations(self, signup: SelfSignup) -> list[str]:
        codes = self.context.get("occupation_codes")
        if codes is None:
            codes = _occupation_codes([signup])
        return [codes[pk] for pk in signup.wish_occupation_ids if pk in codes]


def _occupation_codes(rows) -> dict[int, str]:
    """Return occupation id → code for the wishes of ``rows`` (signups keep ids), one query."""
    ids = {pk for row in rows for pk in row.wish_occupation_ids}
    return dict(Occupation.objects.filter(pk__in=ids).values_list("pk", "code"))


class SelfSignupFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SelfSignup.Status.choices)

    class Meta:
        model = SelfSignup
        fields = ["status"]


class SelfSignupRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why it is not genuine or eligible.")


class SelfSignupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """QR-code signups of the official's county and the decisions on them (扫码报名)."""

    permission_classes = [access.IsOfficial]
    serializer_class = SelfSignupOutputSerializer
    filterset_class = SelfSignupFilter

    def get_queryset(self):
        return access.signups_visible_to(self.request.user).select_related("campaign")

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {"occupation_codes": _occupation_codes(page)}
        body = SelfSignupOutputSerializer(page, many=True, context=context).data
        return self.get_paginated_response(body)

    @extend_schema(request=None, responses={201: WorkerDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Register the signup as a new worker (a person already registered: merge instead)."""
        worker = signups.signup_verify(actor=request.user, signup=self.get_object())
        return Response(_detail(worker), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: WorkerDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Bring the signup's phone, wishes and consent into the county's record of the person."""
        signup = self.get_object()
        existing = signups.signup_existing_worker(signup)
        if existing is None:
            raise ValidationError(_("没有可合并的已有记录。"))
        worker = signups.signup_merge(actor=request.user, signup=signup, worker=existing)
        return Response(_detail(worker))

    @extend_schema(
        request=SelfSignupRejectInputSerializer, responses={200: SelfSignupOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Close the signup as not genuine or not eligible, with the reason."""
        signup = self.get_object()
        serializer = SelfSignupRejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signup = signups.signup_reject(
            actor=request.user, signup=signup, reason=serializer.validated_data["reason"]
        )
        return Response(SelfSignupOutputSerializer(signup).data)
