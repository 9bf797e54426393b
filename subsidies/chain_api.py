"""API of the approval chain and payments (issue 14, H5): thin views over
``subsidies.approval`` and ``subsidies.payments``; scoping by ``laborbridge.access``.

Errors follow the project's one body (``laborbridge.api_errors``): a service's
ValidationError → 400, PermissionDenied → 403, an object outside the scope → 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from laborbridge import access
from laborbridge.api import validated
from laborbridge.spreadsheets import download
from subsidies import approval, payments
from subsidies.chain_selectors import report_rows
from subsidies.models import Application, Notice, Objection, PaymentBatch, PaymentLine

ACTIONS = (
    "village_list",
    "township_review",
    "township_notice",
    "county_verify",
    "county_notice",
    "approve",
)


class ApplicationOutput(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name")

    class Meta:
        model = Application
        fields = [
            "id",
            "policy",
            "worker",
            "worker_name",
            "county",
            "township",
            "village_name",
            "employer_name",
            "work_started_on",
            "work_ended_on",
            "amount",
            "amount_frozen",
            "status",
            "status_changed_at",
        ]


class ChainActionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2_147_483_647),
        min_length=1,
        max_length=approval.MAX_APPLICATIONS_PER_ACTION,
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    village_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)


class ChainActionOutput(serializers.Serializer):
    action = serializers.CharField()
    count = serializers.IntegerField()
    notice = serializers.IntegerField(allow_null=True)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class NoticeOutput(serializers.ModelSerializer):
    applications = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "policy",
            "level",
            "county",
            "township",
            "starts_on",
            "ends_on",
            "slug",
            "applications",
        ]


class ObjectionInput(serializers.Serializer):
    application = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    text = serializers.CharField(max_length=1000)
    raised_on = serializers.DateField(required=False, allow_null=True, default=None)


class ObjectionOutput(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "notice", "application", "text", "raised_on", "answer", "resolved"]


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=1000)
    resolved = serializers.BooleanField(default=True)


class BatchInput(serializers.Serializer):
    month = serializers.DateField()


class BatchOutput(serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()

    class Meta:
        model = PaymentBatch
        fields = ["id", "county", "month", "status", "bank_reference", "paid_on", "lines"]

    def get_lines(self, batch) -> list[dict]:
        return [
            {
                "id": line.pk,
                "application": line.application_id,
                "intermediary_bonus": line.bonus_id,
                "amount": line.amount,
                "status": line.status,
                "account_masked": line.account_masked,
            }
            for line in batch.lines.order_by("id")
        ]


class PaidInput(serializers.Serializer):
    bank_reference = serializers.CharField(max_length=60)
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    failed = serializers.DictField(
        child=serializers.CharField(max_length=200, allow_blank=True), required=False, default=dict
    )


class LineInput(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    account = serializers.CharField(required=False, max_length=40)
    reason = serializers.CharField(required=False, max_length=500)
    # Claw-back: the yuan to take back (omitted: all that is left of the line).
    amount = serializers.IntegerField(required=False, min_value=1, max_value=2_147_483_647)


class ExportInput(serializers.Serializer):
    full = serializers.BooleanField(default=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class SubsidyApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Subsidy applications in the user's scope; the chain's actions on them."""

    serializer_class = ApplicationOutput
    permission_classes = [access.HasRole.of(*access.SUBSIDY_READERS)]

    def get_queryset(self):
        return (
            access.subsidy_applications_visible_to(self.request.user)
            .select_related("worker")
            .order_by("pk")
        )

    @extend_schema(request=ChainActionInput, responses={200: ChainActionOutput})
    @action(detail=False, methods=["post"])
    def chain(self, request):
        """Take one step of the chain for applications ``ids``."""
        data = validated(ChainActionInput, request)
        name, ids = data["action"], data["ids"]
        note, starts_on = data["note"], data["starts_on"]
        user, notice = request.user, None
        if name == "village_list":
            count = approval.village_list_record(
                actor=user,
                application_ids=ids,
                village_name=data.get("village_name", ""),
            )
        elif name == "township_review":
            count = approval.township_review(actor=user, application_ids=ids, note=note)
        elif name in approval.NOTICE_PUBLISHERS:
            publish = approval.NOTICE_PUBLISHERS[name]
            notice = publish(actor=user, application_ids=ids, starts_on=starts_on)
            count = len(ids)
        elif name == "county_verify":
            count = approval.county_verify(actor=user, application_ids=ids, note=note)
        else:
            count = approval.applications_approve(actor=user, application_ids=ids)
        return Response({"action": name, "count": count, "notice": notice.pk if notice else None})

    @extend_schema(request=ReasonInput, responses={200: ApplicationOutput})
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """Send the application back to the village list with a reason."""
        data = validated(ReasonInput, request)
        app = approval.application_send_back(
            actor=request.user, application=self.get_object(), reason=data["reason"]
        )
        return Response(ApplicationOutput(app).data)


class SubsidyNoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """Notices (公示) in the user's scope; objections are recorded and answered here."""

    serializer_class = NoticeOutput
    permission_classes = [access.HasRole.of(*access.SUBSIDY_READERS)]

    def get_queryset(self):
        return access.subsidy_notices_visible_to(self.request.user).prefetch_related("applications")

    @extend_schema(request=ObjectionInput, responses={201: ObjectionOutput})
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        """Record an objection against one listed application."""
        notice = self.get_object()
        data = validated(ObjectionInput, request)
        app = get_object_or_404(notice.applications.all(), pk=data["application"])
        objection = approval.objection_record(
            actor=request.user,
            notice=notice,
            application=app,
            text=data["text"],
            raised_on=data["raised_on"],
        )
        return Response(ObjectionOutput(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerInput, responses={200: ObjectionOutput})
    @action(detail=True, methods=["post"], url_path="objections/<int:objection_pk>/answer")
    def answer(self, request, pk=None, objection_pk=None):
        """Answer (and resolve) an objection of this notice."""
        notice = self.get_object()
        objection = get_object_or_404(notice.objections.all(), pk=objection_pk)
        data = validated(AnswerInput, request)
        objection = approval.objection_answer(
            actor=request.user,
            objection=objection,
            answer=data["answer"],
            resolved=data["resolved"],
        )
        return Response(ObjectionOutput(objection).data)


class SubsidyPaymentBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Payment batches of the user's county: create, export, mark paid, card numbers,
    claw-back."""

    serializer_class = BatchOutput
    permission_classes = [access.HasRole.of(*access.OFFICIALS, read=access.SUBSIDY_READERS)]

    def get_queryset(self):
        return access.subsidy_payment_batches_visible_to(self.request.user)

    @extend_schema(request=BatchInput, responses={201: BatchOutput})
    def create(self, request):
        data = validated(BatchInput, request)
        county = get_object_or_404(
            access.subsidy_counties_for(request.user), pk=request.user.county_id
        )
        batch = payments.payment_batch_create(
            actor=request.user, county=county, month=data["month"]
        )
        return Response(BatchOutput(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PaidInput, responses={200: BatchOutput})
    @action(detail=True, methods=["post"])
    def paid(self, request, pk=None):
        """Mark the batch paid with the bank's reference; ``failed`` maps line ids to reasons."""
        data = validated(PaidInput, request)
        failed = {}
        for key, reason in data["failed"].items():
            if not str(key).isdigit():
                raise serializers.ValidationError({"failed": ["明细编号应为整数。"]})
            failed[int(key)] = reason
        batch = payments.payment_batch_mark_paid(
            actor=request.user,
            batch=self.get_object(),
            bank_reference=data["bank_reference"],
            paid_on=data["paid_on"],
            failed=failed,
        )
        return Response(BatchOutput(batch).data)

    @extend_schema(request=LineInput, responses={200: BatchOutput})
    @action(detail=True, methods=["post"])
    def account(self, request, pk=None):
        """Record a line's social-security card or account number (``line``, ``account``)."""
        batch, line, data = self._line(request)
        payments.payment_line_account_set(
            actor=request.user, line=line, account=data.get("account", "")
        )
        return Response(BatchOutput(batch).data)

    @extend_schema(request=LineInput, responses={200: BatchOutput})
    @action(detail=True, methods=["post"], url_path="claw-back")
    def claw_back(self, request, pk=None):
        """Claw back part (``amount``) or all of a paid line (``line``) with a ``reason``."""
        batch, line, data = self._line(request)
        payments.payment_line_claw_back(
            actor=request.user, line=line, reason=data.get("reason", ""), amount=data.get("amount")
        )
        return Response(BatchOutput(batch).data)

    def _line(self, request) -> tuple[PaymentBatch, PaymentLine, dict]:
        """Return the batch, its line named by the input's ``line`` and the input."""
        batch = self.get_object()
        data = validated(LineInput, request)
        return batch, get_object_or_404(batch.lines.all(), pk=data["line"]), data

    @extend_schema(request=ExportInput, responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["post"])
    def export(self, request, pk=None):
        """The bank's batch file (.xlsx); ``full`` numbers need a ``reason`` (audited)."""
        batch = self.get_object()
        data = validated(ExportInput, request)
        content = payments.payment_batch_export(
            actor=request.user,
            batch=batch,
            full=data["full"],
            reason=data["reason"],
        )
        return download(content, f"subsidy-batch-{batch.pk}.xlsx")


class SubsidyReportViewSet(viewsets.ViewSet):
    """Per county and policy: eligible, applied, in notice, approved, paid, budget."""

    permission_classes = [access.HasRole.of(*access.SUBSIDY_READERS)]

    @extend_schema(responses={200: serializers.ListSerializer(child=serializers.DictField())})
    def list(self, request):
        rows = report_rows(access.subsidy_counties_for(request.user))
        return Response(
            [
                {
                    "county": r.county.pk,
                    "policy": r.policy.pk,
                    "eligible": r.eligible,
                    "applied": r.applied,
                    "in_notice": r.in_notice,
                    "approved": r.approved,
                    "approved_amount": r.approved_amount,
                    "paid": r.paid,
                    "paid_amount": r.paid_amount,
                    "clawed_back_amount": r.clawed_back_amount,
                    "net_paid_amount": r.net_paid_amount,
                    "budget": r.budget,
                    "budget_left": r.budget_left,
                }
                for r in rows
            ]
        )
