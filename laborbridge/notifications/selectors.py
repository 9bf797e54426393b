"""Reads of the outbox, scoped to the reader through ``laborbridge.access``."""

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save

from laborbridge import access
from laborbridge.badges import Badge, badge_changed, badge_counts
from laborbridge.models import User
from laborbridge.notifications.models import Message, MessageAudience, MessageRead

# The unread-notices badge's kind in laborbridge.badges.
UNREAD_BADGE = "notices-unread"


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


def unread_badge_of(user: User) -> Badge:
    """Return the menu's unread-notices badge of ``user``: ``messages_unread_count(user)``,
    kept in Redis until a message, an audience or a read changes (``notices_changed``)."""
    # What messages_visible_to reads of the user: a changed role or scope is a new key.
    scope = (
        user.pk,
        user.is_active,
        user.is_superuser,
        user.role,
        user.county_id,
        user.employer_id,
        user.pairing_id,
    )
    return Badge(UNREAD_BADGE, scope, lambda: messages_unread_count(user))


def messages_unread_badge(user: User) -> int:
    """Return the unread-notices badge's number (``unread_badge_of``)."""
    return badge_counts([unread_badge_of(user)])[0]


def notices_changed(**_kwargs) -> None:
    """Announce that messages or reads changed: the unread badges count again. The services
    call it (their bulk inserts send no signals); saves and deletes elsewhere (the admin,
    cascades) reach it through the model signals."""
    badge_changed(UNREAD_BADGE)


for _model in (Message, MessageAudience, MessageRead):
    post_save.connect(notices_changed, sender=_model, dispatch_uid=f"badge-{_model.__name__}")
    post_delete.connect(notices_changed, sender=_model, dispatch_uid=f"badge-del-{_model.__name__}")


def message_keys_for(user: User) -> list[str]:
    """Return the message keys among the user's messages, for the filter."""
    keys = access.messages_visible_to(user).order_by().values_list("key", flat=True)
    return sorted(set(keys.distinct()))
