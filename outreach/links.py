"""The worker's personal link in an SMS: a short absolute URL where one can be sent.

The link is the selfservice page ``/me/<token>/`` after ``PUBLIC_BASE_URL``. A token is
stored only as its hash, so a link can be put in a message only when it is issued for it:
``selfservice.services.link_issue_for_sms`` issues one when the worker holds no live link
and may have one (matched or placed). Otherwise — a live link on the printed travel notice,
no public address configured, a worker not yet matched — the message carries ``hint``.

The URL goes to the provider as a parameter and into the row's text (the worker's own
record of what was sent); staff pages show the text with the token cut
(``SmsMessage.text_for_staff``).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from selfservice.services import link_issue_for_sms
from workers.models import Worker


def personal_link_param(worker: Worker, *, hint: str) -> str:
    """Return the ``link`` parameter of a message to ``worker``: their personal link as an
    absolute URL followed by a space (phones end the link there), or ``hint``."""
    base = settings.PUBLIC_BASE_URL
    if not base:
        return hint
    token = link_issue_for_sms(worker=worker)
    if token is None:
        return hint
    return f"{base}{reverse('selfservice_public:me', args=[token])} "
