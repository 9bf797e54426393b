"""Reads for the worker's own page and the travel notice.

``worker_overview`` gathers what a worker is shown about themself — job, employer, trip,
contacts — from the apps below (workers, jobs, matching, transport, placement). It names no
user: the staff pages reach it only through ``laborbridge.access``, the public page only
through a live personal link of that very worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.models import Employer
from laborbridge import access, registry
from laborbridge.models import Pairing, Region, Role, User
from matching.models import HOLDING_STATUSES, Match
from placement import history
from placement.models import EmploymentEvent, EventKind
from placement.selectors import employment_history
from selfservice.models import PersonalLink
from transport.manifests import bus_vehicle_label
from transport.models import BusKind, BusRider, Seat, Trip
from workers.models import Employment, Worker


@dataclass
class Contact:
    role: str
    name: str
    phone: str


@dataclass
class JobView:
    title: str
    employer_name: str
    address: str
    district: str
    wage: str
    started_on: dt.date | None
    state_label: str = ""
    on_platform: bool = True


@dataclass
class TripView:
    trip: Trip
    seat: Seat
    seat_label: str
    pickup_point: str = ""
    pickup_address: str = ""
    pickup_time: dt.datetime | None = None
    drop_point: str = ""  # a 返乡 trip's drop-off: the home county's pickup point
    drop_address: str = ""
    feeder_bus: str = ""
    arrival_bus: str = ""
    confirmed: bool = False


@dataclass
class WorkerOverview:
    """What the worker's page and travel notice show (no ID number, phone masked)."""

    worker: Worker
    employment: Employment | None
    match: Match | None
    job: JobView | None
    trip: TripView | None
    contacts: list[Contact] = field(default_factory=list)
    working: bool = False
    confirmed_today: bool = False

    @property
    def placed(self) -> bool:
        return self.employment is not None


STATE_LABELS = {
    history.WORKING: _("在岗"),
    history.NOT_WORKING: _("已离职"),
    history.HOME: _("已返乡"),
}


def worker_employment(worker: Worker) -> Employment | None:
    """Return the worker's newest employment record (the gate check-in opened it)."""
    return (
        Employment.objects.filter(worker=worker)
        .select_related("employer__district", "vacancy__district", "vacancy__employer")
        .order_by("-started_on", "-pk")
        .first()
    )


def worker_match(worker: Worker) -> Match | None:
    """Return the worker's match holding a place (accepted, confirmed or hired), if any."""
    return (
        Match.objects.filter(worker=worker, status__in=HOLDING_STATUSES)
        .select_related("vacancy__employer__district", "vacancy__district")
        .order_by("-pk")
        .first()
    )


def worker_link_eligible(worker: Worker) -> bool:
    """Return whether the worker may get a personal link: placed, or matched with a place."""
    return (
        Employment.objects.filter(worker=worker).exists()
        or Match.objects.filter(worker=worker, status__in=HOLDING_STATUSES).exists()
    )


def _wage(low, high=None) -> str:
    if not low:
        return ""
    if high and high != low:
        return _("%(low)s–%(high)s 元/月") % {"low": low, "high": high}
    return _("%(wage)s 元/月") % {"wage": low}


def _job_of_match(match: Match) -> JobView:
    vacancy = match.vacancy
    employer = vacancy.employer
    return JobView(
        title=vacancy.title,
        employer_name=employer.name,
        address=vacancy.address or employer.address,
        district=vacancy.district.full_name or vacancy.district.name,
        wage=_wage(vacancy.wage_min, vacancy.wage_max),
        started_on=vacancy.start_date,
    )


def _job_of_employment(employment: Employment) -> tuple[JobView, bool]:
    """Return the current job as the history derives it, and whether the worker works."""
    state = employment_history(employment).state
    vacancy = employment.vacancy
    working = state.state == history.WORKING
    job = state.job
    if job is not None and job.employer != employment.employer_id:
        # Moved on: a 换岗 to another employer (on the platform or typed in).
        employer = Employer.objects.filter(pk=job.employer).first() if job.employer else None
        place = Region.objects.filter(pk=job.workplace).first() if job.workplace else None
        view = JobView(
            title="",
            employer_name=job.employer_name,
            address=employer.address if employer else "",
            district=(place.full_name or place.name) if place else "",
            wage=_wage(job.wage),
            started_on=None,
            on_platform=employer is not None,
        )
    else:
        view = JobView(
            title=vacancy.title,
            employer_name=employment.employer.name,
            address=vacancy.address or employment.employer.address,
            district=vacancy.district.full_name or vacancy.district.name,
            wage=_wage(job.wage if job and job.wage else vacancy.wage_min, vacancy.wage_max),
            started_on=employment.started_on,
        )
    view.state_label = str(STATE_LABELS.get(state.state, ""))
    return view, working


def worker_seats(worker: Worker) -> QuerySet[Seat]:
    """Return the worker's held seats, newest trip first, with what a notice shows."""
    return (
        Seat.objects.filter(worker=worker, released_at=None)
        .select_related(
            "trip__origin", "trip__destination", "car", "match__vacancy__employer__district"
        )
        .prefetch_related(
            Prefetch(
                "bus_rides",
                queryset=BusRider.objects.select_related("pickup_point", "employer", "bus"),
            )
        )
        .order_by("-trip__departure_at", "-pk")
    )


def trip_view(seat: Seat) -> TripView:
    rides = {ride.kind: ride for ride in seat.bus_rides.all()}
    feeder, arrival = rides.get(BusKind.FEEDER), rides.get(BusKind.ARRIVAL)
    point = feeder.pickup_point if feeder and feeder.pickup_point_id else None
    # On the trip home (返乡) the feeder bus collects at the employer's gate and the arrival
    # bus drops at the home county's pickup point.
    gate = feeder.employer if feeder and feeder.employer_id else None
    drop = arrival.pickup_point if arrival and arrival.pickup_point_id else None
    return TripView(
        trip=seat.trip,
        seat=seat,
        seat_label=seat.label,
        pickup_point=point.name if point else (gate.name if gate else ""),
        pickup_address=point.address if point else (gate.address if gate else ""),
        drop_point=drop.name if drop else "",
        drop_address=drop.address if drop else "",
        pickup_time=feeder.stop_time if feeder else None,
        feeder_bus=bus_vehicle_label(feeder.bus) if feeder else "",
        arrival_bus=bus_vehicle_label(arrival.bus) if arrival else "",
        confirmed=seat.confirmed,
    )


def _pairing_of(worker: Worker, employer: Employer | None) -> Pairing | None:
    for pairing in Pairing.objects.select_related("east_region", "west_region"):
        if not pairing.west_region.contains(worker.home_county_id):
            continue
        if employer is None or pairing.east_region.contains(employer.district_id):
            return pairing
    return None


def _liaison_for(users, pairing: Pairing, employer: Employer | None) -> User | None:
    """Return the pairing's liaison who looks after workers at ``employer``: one whose
    workstation covers the employer's district, else one over the whole eastern side (no
    districts chosen) — the same reach ``access`` gives liaisons."""
    whole_side = None
    for liaison in users.filter(role=Role.LIAISON, pairing=pairing).prefetch_related("districts"):
        districts = {d.pk for d in liaison.districts.all()}
        if not districts:
            whole_side = whole_side or liaison
        elif employer is not None and employer.district_id in districts:
            return liaison
    return whole_side


def worker_contacts(worker: Worker, employer: Employer | None) -> list[Contact]:
    """Return whom the worker calls: the employer's HR, the eastern workstation's liaison
    of the employer's district (or the pairing's coordinator until a liaison is named),
    the county bureau — each only when a phone is on record."""
    contacts = []
    users = User.objects.filter(is_active=True).exclude(phone="").order_by("pk")
    if employer is not None:
        hr = users.filter(role=Role.EMPLOYER_HR, employer=employer).first()
        if hr:
            contacts.append(Contact(str(_("企业人事")), hr.get_full_name() or "", hr.phone))
    pairing = _pairing_of(worker, employer)
    if pairing is not None:
        liaison = _liaison_for(users, pairing, employer)
        if liaison is not None:
            contacts.append(
                Contact(
                    str(_("驻外劳务工作站联络员")), liaison.get_full_name() or "", liaison.phone
                )
            )
        else:
            station = users.filter(role=Role.COORDINATOR, pairing=pairing).first()
            if station:
                contacts.append(
                    Contact(str(_("驻外劳务工作站")), station.get_full_name() or "", station.phone)
                )
    official = users.filter(role=Role.COUNTY_OFFICIAL, county_id=worker.home_county_id).first()
    if official:
        contacts.append(Contact(str(_("县人社局")), official.get_full_name() or "", official.phone))
    return contacts


def worker_overview(worker: Worker, *, today: dt.date | None = None) -> WorkerOverview:
    """Return what the worker is shown about their job, trip and contacts."""
    today = today or timezone.localdate()
    employment = worker_employment(worker)
    match = None if employment is not None else worker_match(worker)
    job, working, employer = None, False, None
    if employment is not None:
        job, working = _job_of_employment(employment)
        employer = employment.employer
    elif match is not None:
        job = _job_of_match(match)
        employer = match.vacancy.employer
    seat = worker_seats(worker).first()
    confirmed_today = (
        employment is not None
        and EmploymentEvent.objects.filter(
            employment=employment, kind=EventKind.CONFIRMED, occurred_on=today
        ).exists()
    )
    return WorkerOverview(
        worker=worker,
        employment=employment,
        match=match,
        job=job,
        trip=trip_view(seat) if seat is not None else None,
        contacts=worker_contacts(worker, employer),
        working=working,
        confirmed_today=confirmed_today,
    )


def worker_page_sections(worker: Worker) -> list[dict]:
    """Return the extra blocks other apps show on the worker's own page (e.g. the next
    follow-up), registered for the page ``selfservice:me`` with ``obj`` the worker."""
    return registry.page_sections_for("selfservice:me", None, worker)


def worker_cases(worker: Worker) -> list:
    """Return the worker's cases with the steps they may see (when the cases app is there)."""
    from django.apps import apps

    if not apps.is_installed("cases"):
        return []
    from cases.selectors import cases_for_worker_page

    return cases_for_worker_page(worker)[:10]


def live_link_of(worker: Worker) -> PersonalLink | None:
    return PersonalLink.objects.filter(worker=worker, revoked_at=None).first()


def worker_link_section(request, worker) -> dict | None:
    """Return the worker page's personal-link section for users who manage the worker's
    link (registered in ``SelfserviceConfig``); nothing for anyone else."""
    if not access.personal_link_workers_managed_by(request.user).filter(pk=worker.pk).exists():
        return None
    seat = worker_seats(worker).first()
    return {
        "link": live_link_of(worker),
        "eligible": worker_link_eligible(worker),
        "now": timezone.now(),
        "trip": seat.trip if seat is not None else None,
    }


def trip_notice_seats(user: User, trip: Trip) -> QuerySet[Seat]:
    """Return the trip's held seats whose travellers' notices the user may print."""
    return (
        access.seats_visible_to(user)
        .filter(
            trip=trip,
            released_at=None,
            worker__in=access.personal_link_workers_managed_by(user),
        )
        .select_related("worker", "car")
        .order_by("car__car_no", "row", "letter")
    )
