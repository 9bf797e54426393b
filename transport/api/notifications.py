"""Transport's notifications at their first path (the outbox's messages with transport's keys)."""

from rest_framework import serializers

from laborbridge.notifications.api import MessageOutputSerializer, MessageViewSet


class TransportNotificationViewSet(MessageViewSet):
    """Transport's messages in the notification outbox (no-shows and their corrections),
    kept at their first path; ``/api/v1/notifications`` lists every message. Each has
    ``is_read`` for this user; ``?unread=true`` lists the unread ones. ``read`` / ``unread``
    mark one, ``read-all`` marks all, ``unread-count`` counts them."""

    class TransportNotificationOutputSerializer(MessageOutputSerializer):
        kind = serializers.SerializerMethodField()
        worker = serializers.IntegerField(source="params.worker_id", allow_null=True)
        trip = serializers.IntegerField(source="params.trip_id", allow_null=True)
        employer = serializers.IntegerField(source="params.employer_id", allow_null=True)

        def get_kind(self, message) -> str:
            return message.key.removeprefix("transport.")

    serializer_class = TransportNotificationOutputSerializer
    key_prefix = "transport."
