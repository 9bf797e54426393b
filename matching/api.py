"""API for matching rounds (create, status) and matches (list, decide), scoped."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from laborbridge import access
from laborbridge.api import column_range, validated
from laborbridge.background_api import RunOutputSerializer
from matching import selectors, services
from matching.models import MatchRound, RoundMode
from matching.reasons import describe_all


class MatchRoundViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Matching rounds of the campaigns the user works on; POST queues a new round."""

    class RoundOutputSerializer(RunOutputSerializer):
        id = serializers.IntegerField()
        campaign = serializers.CharField(source="campaign.code")
        mode = serializers.CharField()
        seed = serializers.IntegerField()
        status = serializers.CharField()
        engine_version = serializers.CharField()
        statistics = serializers.JSONField()
        timings = serializers.JSONField()

    class RoundCreateInputSerializer(serializers.Serializer):
        campaign = serializers.SlugField()
        mode = serializers.ChoiceField(choices=RoundMode.choices, default=RoundMode.STABLE)
        seed = serializers.IntegerField(default=0, **column_range(MatchRound, "seed"))

    serializer_class = RoundOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.rounds_visible_to(self.request.user)

    def get_serializer_class(self):
        return (
            self.RoundCreateInputSerializer
            if self.action == "create"
            else self.RoundOutputSerializer
        )

    def create(self, request, *args, **kwargs):
        data = validated(self.RoundCreateInputSerializer, request)
        campaign = get_object_or_404(
            access.campaigns_visible_to(request.user), code=data["campaign"]
        )
        # RunBusy (409) and EnqueueFailed (503) reach the one API error handler.
        round_ = services.match_round_create(
            actor=request.user,
            campaign=campaign,
            mode=data["mode"],
            seed=data["seed"],
        )
        return Response(self.RoundOutputSerializer(round_).data, status=status.HTTP_201_CREATED)


class MatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Matches the user may see; POST ``decide`` records the decision their role can make."""

    class MatchOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        round = serializers.IntegerField(source="round_id", allow_null=True)
        worker = serializers.IntegerField(source="worker_id")
        worker_name = serializers.CharField(source="worker.name")
        worker_id_number = serializers.CharField(source="worker.id_number_masked")
        vacancy = serializers.IntegerField(source="vacancy_id")
        vacancy_title = serializers.CharField(source="vacancy.title")
        employer = serializers.CharField(source="vacancy.employer.name")
        status = serializers.CharField()
        score = serializers.FloatField()
        worker_decision = serializers.CharField()
        employer_decision = serializers.CharField()
        reasons = serializers.SerializerMethodField()

        def get_reasons(self, match) -> list[dict]:
            return describe_all(match.reasons)

    class MatchDecideInputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(
            choices=[
                "approve",
                "reject",
                "offer",
                "accept",
                "decline",
                "confirm",
                "employer_decline",
            ]
        )
        reason = serializers.CharField(required=False, allow_blank=True, default="")

        def validate(self, attrs):
            # A refusal without its reason is an error, not a silent decline.
            if (
                attrs["decision"] in ("decline", "employer_decline", "reject")
                and not attrs["reason"].strip()
            ):
                raise serializers.ValidationError(
                    {"reason": _("谢绝或驳回时请填写原因，对方会看到。")}
                )
            return attrs

    serializer_class = MatchOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "round", "vacancy"]

    def get_queryset(self):
        return access.matches_visible_to(self.request.user).select_related(
            "worker", "vacancy__employer"
        )

    @action(detail=True, methods=["post"], serializer_class=MatchDecideInputSerializer)
    def decide(self, request, pk=None):
        match = self.get_object()
        data = validated(self.MatchDecideInputSerializer, request)
        decision, reason, user = (
            data["decision"],
            data["reason"],
            request.user,
        )
        calls = {
            "approve": lambda: services.match_review(actor=user, match=match, approve=True),
            "reject": lambda: services.match_review(
                actor=user, match=match, approve=False, reason=reason
            ),
            "offer": lambda: services.match_offer(actor=user, match=match),
            "accept": lambda: services.match_worker_respond(actor=user, match=match, accept=True),
            "decline": lambda: services.match_worker_respond(
                actor=user, match=match, accept=False, reason=reason
            ),
            "confirm": lambda: services.match_employer_respond(
                actor=user, match=match, confirm=True
            ),
            "employer_decline": lambda: services.match_employer_respond(
                actor=user, match=match, confirm=False, reason=reason
            ),
        }
        match = calls[decision]()
        match.refresh_from_db()
        return Response(self.MatchOutputSerializer(match).data)
