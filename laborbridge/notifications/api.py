"""The outbox over the API: the user's messages and their read state."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from laborbridge.notifications import selectors, services

_TRUE = ("1", "true", "yes")


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    label = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    params = serializers.JSONField()
    created_at = serializers.DateTimeField()
    is_read = serializers.BooleanField()


class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="only the unread ones"),
            OpenApiParameter("key", OpenApiTypes.STR, description="one kind of message"),
        ]
    )
)
class MessageViewSet(viewsets.ReadOnlyModelViewSet):
    """The user's notifications, unread first, each with ``is_read`` for this user, title and
    body in the request's language; ``?unread=true`` lists the unread ones, ``?key=`` one
    kind. ``read`` / ``unread`` mark one, ``read-all`` marks all, ``unread-count`` counts
    them — read state is per reader."""

    serializer_class = MessageOutputSerializer
    permission_classes = [IsAuthenticated]
    # Only the messages whose key starts with this (an app's own list, e.g. "transport.").
    key_prefix = ""

    def get_queryset(self):
        params = self.request.query_params
        return selectors.messages_for(
            self.request.user,
            None,
            unread_only=params.get("unread") in _TRUE,
            key=params.get("key", ""),
            key_prefix=self.key_prefix,
        )

    def _reload(self, pk):
        return selectors.messages_for(self.request.user, None).get(pk=pk)

    def _unread(self) -> Response:
        count = selectors.messages_unread_count(self.request.user, key_prefix=self.key_prefix)
        return Response({"unread": count})

    @extend_schema(request=None, responses={200: MessageOutputSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        message = self.get_object()
        services.message_mark_read(actor=request.user, message=message)
        return Response(self.get_serializer(self._reload(message.pk)).data)

    @extend_schema(request=None, responses={200: MessageOutputSerializer})
    @action(detail=True, methods=["post"])
    def unread(self, request, pk=None):
        message = self.get_object()
        services.message_mark_unread(actor=request.user, message=message)
        return Response(self.get_serializer(self._reload(message.pk)).data)

    @extend_schema(request=None, responses={200: UnreadCountOutputSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        services.messages_mark_all_read(actor=request.user)
        return self._unread()

    @extend_schema(responses={200: UnreadCountOutputSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return self._unread()
