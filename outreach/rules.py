"""The rules people expect of SMS, as plain functions of times and facts. No Django.

* no SMS between 22:00 and 08:00 local time: a message due then waits until 08:00 —
  except on the day of departure, when a train at 06:00 cannot wait, and it goes;
* at most ``limit`` messages per number per day;
* a number that replied TD gets only essential messages (departure-day logistics, the
  answer to the worker's own complaint);
* only workers whose consent covers being contacted.
"""

import datetime as dt
from dataclasses import dataclass

QUIET_FROM = dt.time(22, 0)
QUIET_UNTIL = dt.time(8, 0)


def in_quiet_hours(local: dt.datetime) -> bool:
    """True between 22:00 and 08:00 of ``local`` (a local, aware datetime)."""
    return local.time() >= QUIET_FROM or local.time() < QUIET_UNTIL


def quiet_hours_end(local: dt.datetime) -> dt.datetime:
    """Return the next 08:00 after ``local`` (same tzinfo)."""
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, QUIET_UNTIL, tzinfo=local.tzinfo)


@dataclass(frozen=True)
class Facts:
    consent: bool
    opted_out: bool
    essential: bool
    departure_day: bool  # the local date of sending is the worker's departure date
    sent_today: int
    limit: int


@dataclass(frozen=True)
class Verdict:
    send: bool
    reason: str = ""  # an SmsReason value when not sent now
    delay_until: dt.datetime | None = None  # set when delayed rather than suppressed


def judge(facts: Facts, local_now: dt.datetime) -> Verdict:
    """Decide whether a message may go now; suppressed (with why) or delayed (until when)."""
    if not facts.consent:
        return Verdict(False, "no_consent")
    if facts.opted_out and not facts.essential:
        return Verdict(False, "opted_out")
    if in_quiet_hours(local_now) and not facts.departure_day:
        return Verdict(False, "quiet_hours", delay_until=quiet_hours_end(local_now))
    if facts.sent_today >= facts.limit and not (facts.essential and facts.departure_day):
        return Verdict(False, "daily_cap")
    return Verdict(True)
