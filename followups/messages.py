"""Follow-ups' message keys in the notification outbox.

Registered by ``FollowupsConfig.ready``.

* ``followups.overdue`` — to one assignee, once a day at most per follow-up: ``count``
  overdue follow-ups, the ``oldest`` deadline (ISO date).
* ``followups.problems`` — to the pairing's coordinators and liaisons when a follow-up
  records problems: ``name``, ``id`` (masked resident ID), ``employer``, ``problems`` (codes
  of ``followups.models.Problem``, shown as their labels in the reader's language),
  ``followup_id`` and ``worker_id`` for links.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_noop

from laborbridge.notifications import messages

PREFIX = "followups."
OVERDUE = PREFIX + "overdue"
PROBLEMS = PREFIX + "problems"


def _problem_labels(params: Mapping[str, Any]) -> Mapping[str, Any]:
    from followups.models import Problem

    labels = dict(Problem.choices)
    codes = params.get("problems") or []
    return {"problems": "、".join(str(labels.get(code, code)) for code in codes)}


def register() -> None:
    """Register the follow-ups' message keys with the outbox."""
    messages.register(
        OVERDUE,
        label=gettext_noop("回访逾期"),
        title=gettext_noop("您有 %(count)s 条回访已逾期"),
        body=gettext_noop(
            "您负责的 %(count)s 条回访已过截止日期，最早的截止于 %(oldest)s。"
            "请在“我的回访”中尽快联系并记录。"
        ),
    )
    messages.register(
        PROBLEMS,
        label=gettext_noop("回访发现问题"),
        title=gettext_noop("回访发现问题：%(name)s（%(problems)s）"),
        body=gettext_noop(
            "%(name)s（%(id)s）在 %(employer)s 的回访中反映：%(problems)s。请跟进处理。"
        ),
        derive=_problem_labels,
    )
