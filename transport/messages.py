"""Transport's message keys in the notification outbox: a no-show at boarding and its
correction. Registered by ``TransportConfig.ready``; written by
``transport.services.boarding`` (``seat_roll_call`` and ``seat_no_show_undo``).

Parameters (JSON): ``name``, ``id`` (the masked resident ID), ``trip`` (service number),
``departure_at`` (ISO), ``car``/``row``/``letter`` of the seat, ``employer`` (its name), and
the ids ``worker_id``, ``trip_id``, ``seat_id``, ``match_id``, ``employer_id`` for links.
The seat label and the local departure time are built when read, in the reader's language.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from laborbridge.notifications import messages

PREFIX = "transport."
NO_SHOW = PREFIX + "no_show"
NO_SHOW_UNDO = PREFIX + "no_show_undo"


def _derive(params: Mapping[str, Any]) -> dict[str, str]:
    derived = {}
    if params.get("departure_at"):
        departure = timezone.localtime(datetime.fromisoformat(params["departure_at"]))
        derived["date"] = f"{departure:%m-%d %H:%M}"
    if params.get("car") is not None and params.get("row") is not None:
        derived["seat"] = gettext("%(car)02d车%(row)02d%(letter)s") % {
            "car": params["car"],
            "row": params["row"],
            "letter": params.get("letter", ""),
        }
    return derived


def register() -> None:
    """Register transport's message keys with the outbox."""
    messages.register(
        NO_SHOW,
        label=gettext_noop("点名未到"),
        title=gettext_noop("%(name)s 未按时上车（%(trip)s %(date)s）"),
        body=gettext_noop(
            "%(name)s（%(id)s）在 %(trip)s 上车点名时未到，原座位 %(seat)s 已释放。"
            "请县人社局尽快联系本人；%(employer)s 请相应调整到岗安排。"
        ),
        derive=_derive,
    )
    messages.register(
        NO_SHOW_UNDO,
        label=gettext_noop("更正：撤销未到"),
        tone="correction",
        title=gettext_noop("更正：%(name)s 未到系误记（%(trip)s %(date)s）"),
        body=gettext_noop(
            "此前通知 %(name)s（%(id)s）在 %(trip)s 上车点名时未到，系点名误记，现已撤销，"
            "座位 %(seat)s 已恢复，行程照常。之前的未到通知作废，请县人社局和 %(employer)s "
            "以本通知为准。"
        ),
        derive=_derive,
    )
