"""Placement's message keys in the notification outbox: a month paid well below the promise.

Registered by ``PlacementConfig.ready``; written by ``services.record_actual_wage``.
Parameters (JSON): ``name``, ``id`` (the masked resident ID), ``employer`` (its name),
``month`` (YYYY-MM), ``promised`` and ``actual`` (yuan), ``percent`` (the shortfall), and the
ids ``employment_id`` and ``worker_id`` for links.
"""

from django.utils.translation import gettext_noop

from laborbridge.notifications import messages

PREFIX = "placement."
WAGE_GAP = PREFIX + "wage_gap"


def register() -> None:
    """Register placement's message keys with the outbox."""
    messages.register(
        WAGE_GAP,
        label=gettext_noop("实发工资低于承诺"),
        title=gettext_noop("%(name)s %(month)s 实发工资低于承诺 %(percent)s%%"),
        body=gettext_noop(
            "%(name)s（%(id)s）在 %(employer)s %(month)s 的实发工资为 %(actual)s 元，"
            "比承诺的月工资 %(promised)s 元低 %(percent)s%%。请核实是否存在欠薪或克扣，"
            "必要时联系企业和工作站处理。"
        ),
    )
