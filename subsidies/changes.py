"""What happened to a person's subsidy: a hook the floors above listen to (outreach texts it).

Subsidies may not import the floors above, and the payment service marks a batch's
applications paid with one ``QuerySet.update()`` (no ``post_save``), so it announces them
through ``applications_paid``, sent inside its transaction once the batch is marked: listeners
read the final state and their writes commit or roll back with the payment.

Keyword arguments: ``actor`` (who marked the batch paid), ``application_ids`` (in ``pk`` order).
"""

from django.dispatch import Signal

applications_paid = Signal()


def applications_paid_send(*, actor, application_ids) -> None:
    """Announce that the applications of ``application_ids`` were paid."""
    application_ids = sorted(set(application_ids))
    if application_ids:
        applications_paid.send(sender="paid", actor=actor, application_ids=application_ids)
