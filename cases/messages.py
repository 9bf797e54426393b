"""The cases app's message keys in the notification outbox: a new case and an overdue one.
Registered by ``CasesConfig.ready``; written by ``cases.services``.

Parameters (JSON): ``case_id``, ``worker_id``, ``name`` (the worker's), ``kind`` (a
``CaseKind`` value, shown in the reader's language), ``deadline`` (ISO date), ``employer``
(the employer's name, may be empty).
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_noop

from laborbridge.notifications import messages

PREFIX = "cases."
OPENED = PREFIX + "opened"
OVERDUE = PREFIX + "overdue"


def _derive(params: Mapping[str, Any]) -> dict[str, str]:
    from cases.models import CaseKind

    kind = params.get("kind")
    return {"kind_label": str(CaseKind(kind).label)} if kind in CaseKind.values else {}


def register() -> None:
    """Register the cases app's message keys with the outbox."""
    messages.register(
        OPENED,
        label=gettext_noop("问题反映"),
        title=gettext_noop("%(name)s 反映问题：%(kind_label)s"),
        body=gettext_noop(
            "%(name)s 反映了“%(kind_label)s”问题（用人单位：%(employer)s），"
            "请在 %(deadline)s 前办理，并在办理记录中写明每一步。"
        ),
        derive=_derive,
    )
    messages.register(
        OVERDUE,
        label=gettext_noop("问题反映逾期"),
        title=gettext_noop("逾期未办结：%(name)s 的“%(kind_label)s”问题"),
        body=gettext_noop(
            "%(name)s 反映的“%(kind_label)s”问题（用人单位：%(employer)s）办理期限为 "
            "%(deadline)s，至今仍未办结，请尽快处理或移交当地人社部门。"
        ),
        derive=_derive,
    )
