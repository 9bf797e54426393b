"""Render eligibility reasons (message key + params, stored as ``[key, {params}]``) in the
reader's language."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from subsidies import eligibility as e
from subsidies.intermediary_bonus import R_TOO_FEW_MOVED
from subsidies.models import DestinationZone, TargetGroup


def reason_text(key: str, params: dict) -> str:
    """Return one failed condition in words, e.g. "再工作 23 天（2026年3月1日）满 3 个月"."""
    if key == e.R_MONTHS_SHORT:
        return (
            ngettext(
                "已连续务工 %(months)s 个月，再工作 %(days)s 天（%(date)s）满 %(required)s 个月",
                "已连续务工 %(months)s 个月，再工作 %(days)s 天（%(date)s）满 %(required)s 个月",
                int(params.get("days", 0)),
            )
            % params
        )
    if key == e.R_TARGET_GROUP:
        status = params.get("status", "")
        label = TargetGroup(status).label if status in TargetGroup.values else status
        return _("帮扶身份为“%(status)s”，不在补贴对象内") % {"status": label}
    if key == e.R_AGE_BELOW:
        return _("年龄 %(age)s 岁，低于 %(min)s 岁") % params
    if key == e.R_AGE_ABOVE:
        return _("年龄 %(age)s 岁，超过 %(max)s 岁") % params
    if key == e.R_NOT_WORKING:
        return _("目前不在岗")
    if key == e.R_ORGANISED_TRAVEL:
        return _("乘坐有组织输转的专列或包车外出，本政策仅补贴自主外出")
    if key == e.R_WORKPLACE_UNKNOWN:
        return _("务工地点不明")
    if key == e.R_ZONE_NOT_COVERED:
        zone = params.get("zone", "")
        label = DestinationZone(zone).label if zone in DestinationZone.values else zone
        return _("务工地点属“%(zone)s”，本政策不予补贴") % {"zone": label}
    if key == e.R_ALREADY_CLAIMED:
        return _("%(year)s 年度已申请或享受过同类补贴") % params
    if key == e.R_PERIOD_ENDS:
        return _("满足条件时政策已截止（%(date)s）") % params
    if key == R_TOO_FEW_MOVED:
        if params.get("date"):
            return (
                _("符合条件的输转人数 %(count)s 人，不足 %(required)s 人；预计 %(date)s 达到")
                % params
            )
        return _("符合条件的输转人数 %(count)s 人，不足 %(required)s 人") % params
    if key == e.R_NOT_STARTED:
        return _("政策自 %(date)s 起执行") % params
    return key


def reasons_text(reasons: list) -> list[str]:
    """Return every stored ``[key, params]`` reason in words."""
    return [reason_text(key, params or {}) for key, params in reasons]
