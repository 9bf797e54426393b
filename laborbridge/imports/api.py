"""The import API; an app subclasses :class:`ImportJobViewSet` with its ``kind``.

``POST`` (multipart ``file``) uploads and queues the preview (202); ``GET …/{id}/`` is the
status, counts, preview and every rejected row; ``POST …/{id}/commit/`` confirms;
``POST …/{id}/cancel/``; ``GET …/{id}/rejected-rows/`` and ``GET …/template/`` are .xlsx.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from laborbridge import access, spreadsheets
from laborbridge.api_errors import Conflict, Gone, error_responses
from laborbridge.background_api import RunOutputSerializer
from laborbridge.imports import services
from laborbridge.imports.base import importer_class
from laborbridge.imports.models import ImportJob
from laborbridge.imports.workbooks import XLSX_CONTENT_TYPE, template_workbook

_XLSX = {
    (200, XLSX_CONTENT_TYPE): OpenApiResponse(
        response=OpenApiTypes.BINARY, description="xlsx workbook"
    )
}


class ImportJobOutputSerializer(RunOutputSerializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    # The commit reports its progress through the cache (its row is locked): both names
    # (``progress`` is the older one) give the same figure.
    progress = serializers.SerializerMethodField()
    progress_percent = serializers.SerializerMethodField()
    file_name = serializers.CharField()
    file_size = serializers.IntegerField()
    counts = serializers.JSONField()
    result = serializers.JSONField()
    previewed_at = serializers.DateTimeField(allow_null=True)
    committed_at = serializers.DateTimeField(allow_null=True)

    def get_progress(self, job: ImportJob) -> int:
        return services.import_job_progress(job)

    def get_progress_percent(self, job: ImportJob) -> int:
        return services.import_job_progress(job)


class ImportJobDetailOutputSerializer(ImportJobOutputSerializer):
    preview = serializers.JSONField()
    errors = serializers.JSONField(help_text="[{row, column, message}] for every rejected row")


class ImportJobUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Spreadsheet imports of one kind: upload → preview → commit, scoped to the uploader."""

    kind: str = ""
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["status"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not importer_class(self.kind).allowed(request.user):
            raise PermissionDenied()

    def get_queryset(self):
        return (
            access.import_jobs_visible_to(self.request.user)
            .filter(kind=self.kind)
            .defer("file_data", "parsed_data")
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ImportJobDetailOutputSerializer
        return ImportJobOutputSerializer

    @extend_schema(
        request={"multipart/form-data": ImportJobUploadInputSerializer},
        responses={202: ImportJobOutputSerializer},
    )
    def create(self, request):
        """Upload an .xlsx or .csv file; its preview is computed in the background."""
        serializer = ImportJobUploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        # A broker that is down (EnqueueFailed) is a 503 from the one API error handler; the
        # job is stored and marked failed.
        job = services.import_job_create(
            actor=request.user,
            kind=self.kind,
            file_name=upload.name,
            data=services.upload_read(upload),
        )
        job.refresh_from_db()
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ImportJobOutputSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Confirm a previewed import; the rows are written in the background."""
        job = self.get_object()
        try:
            job = services.import_job_confirm(actor=request.user, job=job)
        except DjangoValidationError as error:  # not previewed yet, or already committed
            raise Conflict(" ".join(error.messages)) from None
        job.refresh_from_db()
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: ImportJobOutputSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        try:
            job = services.import_job_cancel(actor=request.user, job=job)
        except DjangoValidationError as error:  # already finished
            raise Conflict(" ".join(error.messages)) from None
        return Response(ImportJobOutputSerializer(job).data)

    @extend_schema(responses={**_XLSX, **error_responses(410)})
    @action(detail=True, methods=["get"], url_path="rejected-rows")
    def rejected_rows(self, request, pk=None):
        """Download the rejected rows with an error column."""
        job = self.get_object()
        try:
            data = services.rejected_rows_workbook(actor=request.user, job=job)
        except DjangoValidationError as error:  # the upload was purged
            raise Gone(" ".join(error.messages)) from None
        return _xlsx(data, f"rejected-{job.pk}.xlsx")

    @extend_schema(responses=_XLSX)
    @action(detail=False, methods=["get"])
    def template(self, request):
        """Download the empty template with its explanation sheet and drop-down lists."""
        cls = importer_class(self.kind)
        importer = cls(actor=request.user, options=cls.options_for(request.user))
        return _xlsx(template_workbook(importer), f"{self.kind}-template.xlsx")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    return spreadsheets.download(data, filename)
