"""The SMS template registry: what each message key sends, as the provider approved it.

Chinese SMS providers send only pre-approved templates filled with parameters. Each key maps
to the provider's template code (set per deployment: LABORBRIDGE_SMS_TEMPLATE_CODES), the
parameter names the template takes, and the approved text — kept here to render what was
sent for staff and to count segments before a bulk send. The approved text is the provider's
record, in Chinese, and is not translated; the label is.

A ``${link}`` parameter is the worker's personal link where one can be sent, else a hint
(``outreach.links``); its length counts in the segments like any other text.

``essential`` messages are departure-day logistics and the answer to the worker's own
complaint: a worker who replied TD still gets them (README "短信 / SMS").
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
PARAM_MAX = 35  # Alibaba caps a variable at 35 characters (links and free text excepted)


@lru_cache(maxsize=64)
def _names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(text)))


@dataclass(frozen=True)
class SmsTemplate:
    key: str
    label: Any  # lazy translation
    text: str  # the approved text, ${name} placeholders
    essential: bool = False
    default_code: str = ""

    @property
    def params(self) -> tuple[str, ...]:
        return _names(self.text)

    @property
    def code(self) -> str:
        """Return the provider's template code for this deployment."""
        return settings.SMS_TEMPLATE_CODES.get(self.key, self.default_code)

    def render(self, params: Mapping[str, Any]) -> str:
        """Return the text as the worker reads it (without the sign name)."""
        names = self.params
        missing = [name for name in names if name not in params]
        if missing:
            raise ValueError(f"SMS {self.key!r} lacks parameters {missing}")
        text = self.text
        for name in names:
            text = text.replace("${" + name + "}", str(params[name]))
        return text


OFFER_MADE = "offer_made"
DEPARTURE_REMINDER = "departure_reminder"
TRIP_CHANGED = "trip_changed"
ARRIVAL_WELCOME = "arrival_welcome"
FOLLOWUP_DUE = "followup_due"
COMPLAINT_STATUS = "complaint_status"
SUBSIDY_PAID = "subsidy_paid"
COUNTY_NOTICE = "county_notice"

_TEMPLATES = {
    t.key: t
    for t in [
        SmsTemplate(
            OFFER_MADE,
            _("录用通知"),
            "${name}您好：${employer}录用您为${job}，月薪${wage}元。"
            "是否接受请回复${county}人社局工作人员，详情${link}。退订回TD",
            default_code="SMS_DEMO_OFFER",
        ),
        SmsTemplate(
            DEPARTURE_REMINDER,
            _("出发提醒"),
            "${name}您好：您乘坐${trip}于${departure}出发，请${pickup_time}前到${pickup}集合，"
            "座位${seat}，带队${escort_phone}。详情${link}",
            essential=True,
            default_code="SMS_DEMO_REMIND",
        ),
        SmsTemplate(
            TRIP_CHANGED,
            _("行程变更"),
            "${name}您好：您的行程已变更为${trip}，${departure}出发，"
            "请${pickup_time}前到${pickup}集合，座位${seat}，请以本条为准。"
            "带队${escort_phone}。详情${link}",
            essential=True,
            default_code="SMS_DEMO_CHANGE",
        ),
        SmsTemplate(
            ARRIVAL_WELCOME,
            _("到岗欢迎"),
            "${name}您好：欢迎到${employer}工作！有困难请联系驻地联络员${liaison_phone}。退订回TD",
            default_code="SMS_DEMO_WELCOME",
        ),
        SmsTemplate(
            FOLLOWUP_DUE,
            _("回访提醒"),
            "${name}您好：家乡人社局想了解您的工作情况，请打开个人页${link}"
            "点“我在岗”或反映问题。退订回TD",
            default_code="SMS_DEMO_FOLLOWUP",
        ),
        SmsTemplate(
            COMPLAINT_STATUS,
            _("诉求进展"),
            "${name}您好：您反映的问题处理进展：${status}。详情${link}",
            essential=True,
            default_code="SMS_DEMO_CASE",
        ),
        SmsTemplate(
            SUBSIDY_PAID,
            _("补贴发放"),
            "${name}您好：您的${subsidy}${amount}元已审批发放，请注意查收。详情${link}退订回TD",
            default_code="SMS_DEMO_SUBSIDY",
        ),
        SmsTemplate(
            COUNTY_NOTICE,
            _("县区通知"),
            "${name}您好：${content}（${county}人社局）退订回TD",
            default_code="SMS_DEMO_NOTICE",
        ),
    ]
}


def template_for(key: str) -> SmsTemplate:
    """Return the template of ``key``; raise KeyError for an unknown key."""
    return _TEMPLATES[key]


def templates() -> list[SmsTemplate]:
    return list(_TEMPLATES.values())


def full_text(text: str) -> str:
    """Return ``text`` as the phone shows it: the sign name first, as providers bill it."""
    return f"【{settings.SMS_SIGN_NAME}】{text}"
