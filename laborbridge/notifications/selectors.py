"""Reads of the outbox, scoped to the reader through ``laborbridge.access``."""

from django.db.models import Exists, OuterRef

from laborbridge import access
from laborbridge.models import User
from laborbridge.notifications.models import MessageRead


def messages_for(
    user: User,
    limit: int | None = 20,
    *,
    unread_only: bool = False,
    key: str = "",
    key_prefix: str = "",
):
    """Return the messages the user sees, unread first then newest, each with ``is_read``
    (for this user)."""
    rows = access.messages_visible_to(user).annotate(
        is_read=Exists(MessageRead.objects.filter(message=OuterRef("pk"), user_id=user.pk))
    )
    if unread_only:
        rows = rows.filter(is_read=False)
    if key:
        rows = rows.filter(key=key)
    if key_prefix:
        rows = rows.filter(key__startswith=key_prefix)
    rows = rows.order_by("is_read", "-created_at", "-pk")
    return rows[:limit] if limit else rows


def messages_unread_count(user: User, *, key_prefix: str = "") -> int:
    """Return how many of the messages the user sees they have not read (one COUNT)."""
    rows = access.messages_visible_to(user).exclude(reads__user_id=user.pk)
    if key_prefix:
        rows = rows.filter(key__startswith=key_prefix)
    return rows.count()


def message_keys_for(user: User) -> list[str]:
    """Return the message keys among the user's messages, for the filter."""
    keys = access.messages_visible_to(user).order_by().values_list("key", flat=True)
    return sorted(set(keys.distinct()))
