"""Manifests (乘车名单): per trip, per car and per bus — as data, as .xlsx and for printing.

A manifest lists exactly the travellers holding a seat (released seats are not on it) with
the seat, name, masked ID and phone, pickup point and time, and destination employer. Only
the carrier's real-name export (``carrier_export_build``, called by the audited service
``transport.services.carrier.trip_carrier_export``) carries full ID numbers, and only of
workers whose consent covers transport.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from laborbridge import spreadsheets
from transport.models import Bus, BusKind, BusRider, PlanStatus, Seat, Trip, TripMode
from workers.models import Consent, ConsentScope


@dataclass
class ManifestRow:
    seat_id: int
    seat: str
    car_no: int
    name: str
    id_number: str
    phone: str
    county: str
    pickup_point: str
    pickup_time: str
    employer: str
    district: str
    stop_time: str = ""
    boarding: str = ""
    feeder_bus: str = ""
    arrival_bus: str = ""


@dataclass
class Manifest:
    title: str
    vehicle: str
    plan: str
    operator: str
    escort: str
    route: str
    departure: str
    arrival: str
    rows: list[ManifestRow]
    kind: str = "trip"
    seats: int = 0
    stops: list[dict] = field(default_factory=list)
    generated_at: str = ""
    plate: str = ""
    driver: str = ""

    @property
    def totals_by_county(self) -> list[tuple[str, int]]:
        return sorted(Counter(r.county for r in self.rows).items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def totals_by_district(self) -> list[tuple[str, int]]:
        return sorted(
            Counter(r.district for r in self.rows).items(), key=lambda kv: (-kv[1], kv[0])
        )

    @property
    def filename(self) -> str:
        return f"{self.title}.xlsx".replace("/", "-").replace(" ", "_")


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _day(value) -> str:
    return _("%(month)s月%(day)s日") % {"month": value.month, "day": value.day}


def _clock(value) -> str:
    return f"{timezone.localtime(value):%m-%d %H:%M}" if value else ""


def manifest_seats(trip: Trip) -> QuerySet[Seat]:
    """Return the trip's held seats with everything a manifest row shows, in seat order."""
    return (
        Seat.objects.filter(trip=trip, released_at=None)
        .select_related(
            "car",
            "worker__home_county",
            "match__vacancy__employer__district",
        )
        .prefetch_related(
            Prefetch(
                "bus_rides",
                queryset=BusRider.objects.select_related(
                    "pickup_point", "bus", "employer__district"
                ),
            )
        )
        .order_by("car__car_no", "row", "letter")
    )


def bus_vehicle_label(bus: Bus | None) -> str:
    """Return how a traveller finds their bus: "2号车 甘J12345" (the plate once known)."""
    if bus is None:
        return ""
    number = _("%(no)s号车") % {"no": bus.vehicle_index}
    return f"{number} {bus.plate_number}" if bus.plate_number else number


def bus_label(bus: Bus) -> str:
    """Return a bus as people say it: "G2096 接站分流大巴 胶州市 2号车"."""
    where = bus.district.name if bus.district_id else bus.trip.origin.name
    return _("%(trip)s %(kind)s %(place)s %(no)s号车") % {
        "trip": bus.trip.service_number,
        "kind": bus.get_kind_display(),
        "place": where,
        "no": bus.vehicle_index,
    }


def bus_driver_label(bus: Bus) -> str:
    return " ".join(x for x in (bus.driver_name, bus.driver_phone) if x)


def _boarding_place(feeder: BusRider | None) -> str:
    """Where the traveller boards the feeder bus: a pickup point, or on a return trip (返乡)
    their employer's gate."""
    if feeder is None:
        return ""
    if feeder.pickup_point_id:
        return feeder.pickup_point.name
    return feeder.employer.name if feeder.employer_id else ""


def _row(seat: Seat) -> ManifestRow:
    rides = {ride.kind: ride for ride in seat.bus_rides.all()}
    feeder, arrival = rides.get(BusKind.FEEDER), rides.get(BusKind.ARRIVAL)
    # A 返岗 traveller goes back to their last employer (the arrival bus drops them there),
    # which after a 换岗 is not the employer of the match they first came with.
    employer = arrival.employer if arrival and arrival.employer_id else seat.match.vacancy.employer
    return ManifestRow(
        seat_id=seat.pk,
        seat=seat.label,
        car_no=seat.car.car_no,
        name=seat.worker.name,
        id_number=seat.worker.id_number_masked,
        phone=seat.worker.phone_masked,
        county=seat.worker.home_county.name,
        pickup_point=_boarding_place(feeder),
        pickup_time=_clock(feeder.stop_time) if feeder else "",
        employer=employer.name,
        district=employer.district.name,
        stop_time=_clock(arrival.stop_time) if arrival else "",
        boarding=seat.get_boarding_display(),
        feeder_bus=bus_vehicle_label(feeder.bus) if feeder else "",
        arrival_bus=bus_vehicle_label(arrival.bus) if arrival else "",
    )


def _plan_label(trip: Trip) -> str:
    seat = Seat.objects.filter(trip=trip, released_at=None).select_related("plan").first()
    if seat is None:
        return _("尚无方案")
    status = _("已确认") if seat.plan.status == PlanStatus.CONFIRMED else _("草稿，未确认")
    return _("方案 v%(version)s（%(status)s）") % {"version": seat.plan.version, "status": status}


def _escort(trip: Trip) -> str:
    return " ".join(x for x in (trip.escort_name, trip.escort_phone) if x)


def trip_manifest(trip: Trip, car_no: int | None = None) -> Manifest:
    """Return the manifest of a whole trip, or of one car when ``car_no`` is given."""
    seats = manifest_seats(trip)
    mode = TripMode(trip.mode).label
    if car_no is not None:
        seats = seats.filter(car__car_no=car_no)
        car = trip.car_rows.filter(car_no=car_no).first()
        unit = _("%(no)02d号大巴") if trip.mode == TripMode.CHARTERED_BUS else _("%(no)02d车")
        vehicle = f"{mode} {trip.service_number} · {unit % {'no': car_no}}"
        capacity = car.seats if car else 0
        title = f"{trip.service_number} {unit % {'no': car_no}}"
    else:
        vehicle = f"{mode} {trip.service_number}"
        capacity = trip.total_seats
        title = trip.service_number
    departure = timezone.localtime(trip.departure_at)
    # The title names the trip as people say it (number, route, day), never an internal code;
    # the .xlsx file is named after it.
    return Manifest(
        title=_("乘车名单 %(name)s %(route)s %(date)s")
        % {
            "name": title,
            "route": _("%(origin)s至%(destination)s")
            % {"origin": trip.origin.name, "destination": trip.destination.name},
            "date": _day(departure),
        },
        vehicle=vehicle,
        plan=_plan_label(trip),
        operator=trip.operator,
        escort=_escort(trip),
        route=f"{trip.origin.name} → {trip.destination.name}",
        departure=_when(trip.departure_at),
        arrival=_when(trip.arrival_at),
        rows=[_row(seat) for seat in seats],
        kind="car" if car_no is not None else "trip",
        seats=capacity,
        generated_at=_when(timezone.now()),
    )


def bus_manifest(bus: Bus) -> Manifest:
    """Return the manifest of one feeder or arrival bus, its riders in stop order."""
    trip = bus.trip
    rides = (
        BusRider.objects.filter(bus=bus, seat__released_at=None)
        .select_related(
            "seat__car",
            "seat__worker__home_county",
            "seat__match__vacancy__employer__district",
        )
        .prefetch_related(
            Prefetch(
                "seat__bus_rides",
                queryset=BusRider.objects.select_related(
                    "pickup_point", "bus", "employer__district"
                ),
            )
        )
        .order_by("stop_time", "seat__car__car_no", "seat__row", "seat__letter")
    )
    vehicle = bus_label(bus)
    stops = [
        {
            "name": s.get("name", ""),
            "time": _clock_iso(s.get("time")),
            "people": s.get("people", ""),
        }
        for s in bus.stops
    ]
    return Manifest(
        title=_("乘车名单 %(bus)s %(date)s")
        % {"bus": vehicle, "date": _day(timezone.localtime(bus.departure_at or trip.departure_at))},
        vehicle=vehicle,
        plan=_plan_label(trip),
        operator=trip.operator,
        escort=_escort(trip),
        route=" → ".join(s["name"] for s in stops),
        departure=_when(bus.departure_at),
        arrival=_when(bus.arrival_at),
        rows=[_row(ride.seat) for ride in rides],
        kind="bus",
        seats=bus.capacity,
        stops=stops,
        generated_at=_when(timezone.now()),
        plate=bus.plate_number,
        driver=bus_driver_label(bus),
    )


def _clock_iso(value: str | None) -> str:
    if not value:
        return _("待定")
    from datetime import datetime

    return _clock(datetime.fromisoformat(value))


_COLUMNS = (
    ("seat", gettext_lazy("座位")),
    ("name", gettext_lazy("姓名")),
    ("id_number", gettext_lazy("身份证号")),
    ("phone", gettext_lazy("手机号")),
    ("county", gettext_lazy("县区")),
    ("pickup_point", gettext_lazy("集合点")),
    ("pickup_time", gettext_lazy("上车时间")),
    ("employer", gettext_lazy("用工企业")),
    ("district", gettext_lazy("目的区县")),
    ("stop_time", gettext_lazy("到厂时间")),
)
# A trip's or car's manifest also says which feeder and arrival bus each traveller takes;
# a bus manifest names its vehicle and driver in the header instead.
_BUS_COLUMNS = (
    ("feeder_bus", gettext_lazy("送站车辆")),
    ("arrival_bus", gettext_lazy("接站车辆")),
)


def manifest_columns(manifest: Manifest) -> tuple:
    return _COLUMNS if manifest.kind == "bus" else _COLUMNS + _BUS_COLUMNS


def _sheet_header(sheet, manifest: Manifest, width: int) -> int:
    """Write the manifest's header block; return the next free row."""
    sheet.append([manifest.title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(size=14, bold=True)
    facts = [
        (_("车辆"), manifest.vehicle),
        (_("方案"), manifest.plan),
        (_("线路"), manifest.route),
        (_("出发"), manifest.departure),
        (_("到达"), manifest.arrival),
        (_("承运方"), manifest.operator),
        (_("带队"), manifest.escort),
        (_("人数"), f"{len(manifest.rows)} / {manifest.seats}"),
    ]
    if manifest.kind == "bus":
        facts += [
            (_("车牌号"), manifest.plate or _("待定")),
            (_("司机"), manifest.driver or _("待定")),
        ]
    for label, value in facts:
        sheet.append([label, value])
    sheet.append([])
    return sheet.max_row + 1


def manifest_workbook(manifest: Manifest, *, full_ids: dict[int, str] | None = None) -> bytes:
    """Return the manifest as an .xlsx; ``full_ids`` (seat id → number) only for the carrier."""
    book = spreadsheets.workbook()
    sheet = book.active
    sheet.title = _("乘车名单")
    data_columns = manifest_columns(manifest)
    columns = [("no", gettext_lazy("序号")), *data_columns]
    _sheet_header(sheet, manifest, len(columns))
    sheet.append([str(label) for _key, label in columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for index, row in enumerate(manifest.rows, start=1):
        values = [index]
        for key, _label in data_columns:
            value = getattr(row, key)
            if key == "id_number" and full_ids is not None:
                value = full_ids.get(row.seat_id, value)
            values.append(value)
        sheet.append(values)
    sheet.append([])
    sheet.append([_("合计"), _("%(n)s 人") % {"n": len(manifest.rows)}])
    for county, count in manifest.totals_by_county:
        sheet.append(["", county, count])
    widths = (6, 11, 10, 21, 14, 10, 18, 12, 26, 10, 12, 16, 16)
    for number, width in enumerate(widths[: len(columns)], start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            cell.alignment = Alignment(vertical="center")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    # Names, employers and pickup points are typed by people: saved without formulas.
    return spreadsheets.xlsx_bytes(book)


def transport_consented(worker_ids: list[int]) -> set[int]:
    """Return the workers whose unwithdrawn consent covers transport (sharing with carriers)."""
    consents = Consent.objects.filter(worker_id__in=worker_ids, withdrawn_on=None).values_list(
        "worker_id", "scope"
    )
    return {worker for worker, scope in consents if ConsentScope.TRANSPORT in (scope or [])}


@dataclass
class CarrierExport:
    content: bytes
    rows: int
    revealed: int
    withheld: int
    worker_ids: list[int]


def carrier_export_build(trip: Trip) -> CarrierExport:
    """Return the real-name workbook for the carrier: full ID numbers of every held seat
    whose worker consented to transport; others stay masked and are counted as withheld.
    Callers go through ``transport.services.carrier.trip_carrier_export``, which audits it."""
    manifest = trip_manifest(trip)
    manifest.title = _("实名制名单 %(name)s") % {"name": manifest.title}
    seats = {
        s.pk: s.worker
        for s in Seat.objects.filter(trip=trip, released_at=None).select_related("worker")
    }
    consented = transport_consented([w.pk for w in seats.values()])
    full_ids, withheld = {}, 0
    for seat_id, worker in seats.items():
        if worker.pk in consented:
            full_ids[seat_id] = worker.reveal_id_number()
        else:
            full_ids[seat_id] = _("%(masked)s（未授权出行信息共享）") % {
                "masked": worker.id_number_masked
            }
            withheld += 1
    return CarrierExport(
        content=manifest_workbook(manifest, full_ids=full_ids),
        rows=len(manifest.rows),
        revealed=len(seats) - withheld,
        withheld=withheld,
        worker_ids=sorted(w.pk for w in seats.values()),
    )
