"""What the records of every app carry: when a row was made and last changed, and who did it.

Abstract and field-level only, so a model that uses them keeps its table as it was (the
migrations see the same fields). Ground floor: any app may use it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Timestamped(models.Model):
    """Add ``created_at`` and ``updated_at`` (a model may redeclare either with its own label)."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


def acting_user(verbose_name, **options) -> models.ForeignKey:
    """Return a link to the user who acts on a record (did it, or is to do it): optional, set
    to NULL when that account is deleted (the record and its audit stay), with no reverse
    accessor on the user unless ``related_name`` is given."""
    options.setdefault("related_name", "+")
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        **options,
    )
