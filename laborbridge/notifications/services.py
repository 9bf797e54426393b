"""Writes to the outbox: leave a message with its cause, mark messages read or unread."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.models import User
from laborbridge.notifications import messages, selectors
from laborbridge.notifications.models import (
    AudienceKind,
    Channel,
    DeliveryStatus,
    Message,
    MessageAudience,
    MessageDelivery,
    MessageRead,
)


@dataclass(frozen=True)
class Audience:
    """Who a message is for: ``Audience.county("621102")``, ``Audience.user(user.pk)`` …"""

    kind: str
    target: str

    @classmethod
    def county(cls, code: str) -> "Audience":
        """The officials of a county (by GB/T 2260 code)."""
        return cls(AudienceKind.COUNTY, str(code))

    @classmethod
    def employer(cls, employer_id: int) -> "Audience":
        """The HR users of an employer."""
        return cls(AudienceKind.EMPLOYER, str(employer_id))

    @classmethod
    def pairing(cls, pairing_id: int) -> "Audience":
        """The coordinators of a pairing."""
        return cls(AudienceKind.PAIRING, str(pairing_id))

    @classmethod
    def liaisons(cls, pairing_id: int) -> "Audience":
        """The eastern workstation liaisons of a pairing."""
        return cls(AudienceKind.LIAISONS, str(pairing_id))

    @classmethod
    def user(cls, user_id: int) -> "Audience":
        return cls(AudienceKind.USER, str(user_id))


@dataclass(frozen=True)
class Notice:
    """One message of a batch (``notify_many``): its parameters, audiences and cause."""

    params: Mapping[str, Any]
    audiences: Iterable[Audience]
    cause: models.Model | None = None


@transaction.atomic
def notify(
    *,
    key: str,
    params: Mapping[str, Any],
    audiences: Iterable[Audience],
    cause: models.Model | None = None,
    channels: Iterable[str] = (Channel.IN_APP,),
    actor: User | None,
) -> Message:
    """Leave a message for ``audiences``, in the caller's transaction (so it exists exactly
    when its cause does). ``params`` must be JSON values, never translated text: the key's
    registered templates are rendered in each reader's language."""
    (message,) = notify_many(
        key=key,
        notices=[Notice(params=params, audiences=audiences, cause=cause)],
        channels=channels,
        actor=actor,
    )
    return message


@transaction.atomic
def notify_many(
    *,
    key: str,
    notices: Sequence[Notice],
    channels: Iterable[str] = (Channel.IN_APP,),
    actor: User | None,
) -> list[Message]:
    """Leave one message per notice, all of ``key``, in three inserts whatever their number
    (a 10,000-row import that raises 1,000 notices wrote ~4 queries and a savepoint each
    through ``notify``). Same rules and rows as ``notify``; the caller's transaction."""
    if messages.template_for(key) is None:
        raise ValueError(f"message key {key!r} is not registered")
    targets = [list(dict.fromkeys(notice.audiences)) for notice in notices]
    if not all(targets):  # same audience twice is one audience
        raise ValueError("a message needs at least one audience")
    channels = list(dict.fromkeys(channels))
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown channels: {sorted(unknown)}")
    created_by = actor if actor is not None and actor.is_authenticated else None
    sent = Message.objects.bulk_create(
        [
            Message(
                key=key,
                params=dict(notice.params),
                cause_type=(
                    ContentType.objects.get_for_model(notice.cause)
                    if notice.cause is not None
                    else None
                ),
                cause_id=str(notice.cause.pk) if notice.cause is not None else "",
                created_by=created_by,
            )
            for notice in notices
        ]
    )
    rows = MessageAudience.objects.bulk_create(
        [
            MessageAudience(message=message, kind=a.kind, target=a.target)
            for message, audiences in zip(sent, targets, strict=True)
            for a in audiences
        ]
    )
    now = timezone.now()
    MessageDelivery.objects.bulk_create(
        [
            # In-app delivery is the row itself: it is there the moment it commits.
            MessageDelivery(
                message=row.message,
                audience=row,
                channel=channel,
                status=DeliveryStatus.SENT,
                attempts=1,
                sent_at=now,
            )
            if channel == Channel.IN_APP
            else MessageDelivery(message=row.message, audience=row, channel=channel)
            for row in rows
            for channel in channels
        ]
    )
    selectors.notices_changed()
    return sent


def _visible(actor: User, message: Message) -> Message:
    found = access.messages_visible_to(actor).filter(pk=message.pk).first()
    if found is None:
        raise PermissionDenied(_("您无权查看该通知。"))
    return found


def message_mark_read(*, actor: User, message: Message) -> bool:
    """Mark a message read for ``actor`` (only); True if it was unread."""
    message = _visible(actor, message)
    _read, created = MessageRead.objects.get_or_create(message=message, user=actor)
    return created  # a new read: the post_save signal updates the badge


def message_mark_unread(*, actor: User, message: Message) -> bool:
    """Mark a message unread again for ``actor``; True if it was read."""
    message = _visible(actor, message)
    deleted, _rows = MessageRead.objects.filter(message=message, user=actor).delete()
    return bool(deleted)


@transaction.atomic
def messages_mark_all_read(*, actor: User) -> int:
    """Mark every message ``actor`` sees as read; return how many were unread."""
    unread = list(
        access.messages_visible_to(actor).exclude(reads__user=actor).values_list("pk", flat=True)
    )
    MessageRead.objects.bulk_create(
        [MessageRead(message_id=pk, user=actor) for pk in unread],
        ignore_conflicts=True,  # a second tab marking the same ones at once
    )
    if unread:
        selectors.notices_changed()
    return len(unread)
