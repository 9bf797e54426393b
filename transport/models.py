"""Point-to-point transport: pickup points, trips and their cars, plans, seats, buses.

The database keeps the two transport invariants whatever the concurrency:

* a traveller holds at most one seat per trip, and a seat (car, row, letter) is held once —
  partial unique indexes over the seats that are not released;
* a vehicle never carries more people than its seats — every car of a trip (``TripCar``) and
  every feeder / arrival bus (``Bus``) keeps an ``occupied`` counter that services change only
  with a conditional ``UPDATE … WHERE occupied < seats`` under row locks, and a check
  constraint is the database's last word.

A plan is one run of the pure planner (``transport.planner``) over a campaign. The newest
successful plan of a campaign is its *current* plan: the seats and buses rows describe it.
Older plans keep their statistics, reports and reasons for the record.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.background import BackgroundRun


class TripMode(models.TextChoices):
    SPECIAL_TRAIN = "special_train", _("专列")
    RESERVED_CARRIAGE = "reserved_carriage", _("专厢")
    CHARTERED_BUS = "chartered_bus", _("包车")
    CHARTER_FLIGHT = "charter_flight", _("包机")


class TripDirection(models.TextChoices):
    """Which way a trip carries people (see ``transport.inputs``): out to the jobs (新招录人员),
    home for the Spring Festival (返乡: workers at work in the east, from the workplace to the
    home county) or back out after it (返岗: workers who went home, to their employer)."""

    OUTBOUND = "outbound", _("去程")
    RETURN_HOME = "return_home", _("返乡")
    BACK_TO_WORK = "back_to_work", _("返岗")


class PickupPoint(models.Model):
    """A place in a western county where feeder buses collect travellers (集合点)."""

    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("所属县区"),
        on_delete=models.PROTECT,
        related_name="pickup_points",
        limit_choices_to={"level": "county"},
    )
    township = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("乡镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("只服务某个乡镇时填写；留空表示服务全县。"),
    )
    name = models.CharField(_("集合点名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.FloatField(_("纬度"))
    longitude = models.FloatField(_("经度"))
    is_default = models.BooleanField(_("本县默认集合点"), default=False)
    # A point that past trips used is deactivated rather than deleted, so their records
    # (riders, bus stops) keep pointing at it; the planner only sees active points.
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["county_id", "-is_default", "name"]
        verbose_name = _("集合点")
        verbose_name_plural = _("集合点")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                condition=models.Q(is_active=True),
                name="pickup_point_unique_active_name",
            ),
            models.UniqueConstraint(
                fields=["county"],
                condition=models.Q(is_default=True),
                name="pickup_point_one_default_per_county",
            ),
            models.CheckConstraint(
                condition=models.Q(is_active=True) | models.Q(is_default=False),
                name="pickup_point_default_is_active",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="pickup_point_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Trip(models.Model):
    """One departure of one mode for a campaign: a special train, reserved carriages of a
    scheduled train, chartered buses or a charter flight.

    ``cars`` counts the bookable units — cars of a train, buses of a bus offer, usually 1 for
    an aircraft; ``car_seats`` (when given) lists the seats car by car and overrides
    ``seats_per_car``. Each unit has a ``TripCar`` row that counts who sits in it.
    """

    campaign = models.ForeignKey(
        "laborbridge.Campaign",
        verbose_name=_("招聘行动"),
        on_delete=models.PROTECT,
        related_name="trips",
    )
    mode = models.CharField(_("方式"), max_length=20, choices=TripMode.choices)
    direction = models.CharField(
        _("方向"), max_length=12, choices=TripDirection.choices, default=TripDirection.OUTBOUND
    )
    service_number = models.CharField(
        _("车次/航班号"), max_length=20, help_text=_("如 G2096；包车可填车队编号")
    )
    origin = models.ForeignKey(
        "laborbridge.Station", verbose_name=_("出发站"), on_delete=models.PROTECT, related_name="+"
    )
    destination = models.ForeignKey(
        "laborbridge.Station", verbose_name=_("到达站"), on_delete=models.PROTECT, related_name="+"
    )
    departure_at = models.DateTimeField(_("出发时间"))
    arrival_at = models.DateTimeField(_("到达时间"))
    cars = models.PositiveSmallIntegerField(_("车厢/车辆数"))
    seats_per_car = models.PositiveSmallIntegerField(_("每节车厢座位数"))
    car_seats = models.JSONField(
        _("各车厢座位数"), default=list, blank=True, help_text=_("各节车厢座位数不同时逐节填写")
    )
    first_car_no = models.PositiveSmallIntegerField(_("起始车厢号"), default=1)
    seat_letters = models.CharField(
        _("座位字母"),
        max_length=8,
        blank=True,
        help_text=_("留空按方式默认：高铁 ABCDF，大巴 ABCD"),
    )
    operator = models.CharField(_("承运方"), max_length=100, blank=True)
    escort_name = models.CharField(_("带队人"), max_length=50, blank=True)
    escort_phone = models.CharField(_("带队人电话"), max_length=11, blank=True)
    fare_per_seat = models.DecimalField(
        _("每座票价（元）"), max_digits=10, decimal_places=2, default=0
    )
    fare_per_vehicle = models.DecimalField(
        _("每车/整列包价（元）"), max_digits=12, decimal_places=2, default=0
    )
    # What one feeder / arrival bus of this trip costs; empty: the plan's fare for all trips.
    feeder_bus_fare = models.DecimalField(
        _("送站大巴每车费用（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("留空按运输方案的统一标准"),
    )
    arrival_bus_fare = models.DecimalField(
        _("接站大巴每车费用（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("留空按运输方案的统一标准"),
    )
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["departure_at", "service_number", "id"]
        verbose_name = _("车次")
        verbose_name_plural = _("车次")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(arrival_at__gt=models.F("departure_at")),
                name="trip_arrives_after_departure",
            ),
            models.CheckConstraint(condition=models.Q(cars__gte=1), name="trip_has_cars"),
            models.CheckConstraint(condition=models.Q(seats_per_car__gte=1), name="trip_has_seats"),
            models.CheckConstraint(
                condition=~models.Q(origin=models.F("destination")),
                name="trip_origin_not_destination",
            ),
            models.UniqueConstraint(
                fields=["campaign", "service_number", "departure_at"], name="trip_unique_departure"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "departure_at"])]

    def __str__(self) -> str:
        return f"{self.service_number} {self.origin.name_zh}→{self.destination.name_zh}"

    def seats_in_car(self, index: int) -> int:
        """Return the seat count of the car at 0-based ``index``."""
        return int(self.car_seats[index]) if self.car_seats else self.seats_per_car

    @property
    def total_seats(self) -> int:
        return sum(self.seats_in_car(i) for i in range(self.cars))


class TripCar(models.Model):
    """One bookable unit of a trip (a car, a bus, an aircraft) and how many sit in it."""

    trip = models.ForeignKey(
        Trip, verbose_name=_("车次"), on_delete=models.CASCADE, related_name="car_rows"
    )
    car_no = models.PositiveSmallIntegerField(_("车厢号"))
    seats = models.PositiveSmallIntegerField(_("座位数"))
    # Changed only by conditional UPDATEs in transport.services (see the module docstring).
    occupied = models.PositiveSmallIntegerField(_("已占座位"), default=0, editable=False)

    class Meta:
        ordering = ["trip_id", "car_no"]
        verbose_name = _("车厢")
        verbose_name_plural = _("车厢")
        constraints = [
            models.UniqueConstraint(fields=["trip", "car_no"], name="trip_car_unique_no"),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="trip_car_has_seats"),
            models.CheckConstraint(
                condition=models.Q(occupied__lte=models.F("seats")),
                name="trip_car_never_over_capacity",
                violation_error_message=_("车厢乘客不能多于座位数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.car_no:02d}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CONFIRMED = "confirmed", _("已确认")
    SUPERSEDED = "superseded", _("已被新方案取代")


class TransportPlan(BackgroundRun):
    """One planner run over a campaign's travellers and trips, and its outcome.

    ``run_status`` is the run's status (:class:`~laborbridge.background.BackgroundRun` gives
    the other run fields); ``status`` is the plan's review state once the run succeeded.

    Reproducible: ``inputs`` summarises what went in, and with ``params``, ``seed`` and
    ``planner_version`` the same inputs give the same plan.
    """

    campaign = models.ForeignKey(
        "laborbridge.Campaign",
        verbose_name=_("招聘行动"),
        on_delete=models.PROTECT,
        related_name="transport_plans",
    )
    version = models.PositiveIntegerField(_("方案版本"))
    status = models.CharField(
        _("方案状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    run_status = models.CharField(
        _("运行状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    planner_version = models.CharField(_("规划器版本"), max_length=20, blank=True)
    seed = models.PositiveIntegerField(_("随机种子"), default=0)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    inputs = models.JSONField(_("输入摘要"), default=dict, blank=True)
    stats = models.JSONField(_("统计"), default=dict, blank=True)
    trunk = models.JSONField(_("干线预订"), default=list, blank=True)
    leg_reports = models.JSONField(_("各段车辆与下界"), default=list, blank=True)
    unplaced = models.JSONField(_("未安排人员及原因"), default=list, blank=True)
    group_splits = models.JSONField(_("分开乘坐的同行组"), default=list, blank=True)
    released_locks = models.JSONField(_("释放的已确认座位"), default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("运输方案")
        verbose_name_plural = _("运输方案")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="transport_plan_version"),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=models.Q(run_status__in=["queued", "running"]),
                name="transport_plan_one_run_at_a_time",
            ),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=models.Q(run_status="succeeded", status__in=["draft", "confirmed"]),
                name="transport_plan_one_current",
            ),
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="transport_plan_progress"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · v{self.version}"

    @property
    def is_current(self) -> bool:
        return self.run_status == RunStatus.SUCCEEDED and self.status != PlanStatus.SUPERSEDED


class BoardingStatus(models.TextChoices):
    PENDING = "pending", _("未点名")
    PRESENT = "present", _("已上车")
    NO_SHOW = "no_show", _("未到")


class ReleaseReason(models.TextChoices):
    NO_SHOW = "no_show", _("点名未到")
    MATCH_ENDED = "match_ended", _("匹配已结束")


class Seat(models.Model):
    """One traveller's seat on one trip. A released seat (no-show, match ended) stays as the
    record of what happened; it no longer counts against the car or the traveller."""

    plan = models.ForeignKey(
        TransportPlan, verbose_name=_("运输方案"), on_delete=models.PROTECT, related_name="seats"
    )
    trip = models.ForeignKey(
        Trip, verbose_name=_("车次"), on_delete=models.PROTECT, related_name="seats"
    )
    car = models.ForeignKey(
        TripCar, verbose_name=_("车厢"), on_delete=models.PROTECT, related_name="held_seats"
    )
    row = models.PositiveSmallIntegerField(_("排"))
    letter = models.CharField(_("座位"), max_length=1)
    match = models.ForeignKey(
        "matching.Match",
        verbose_name=_("匹配"),
        on_delete=models.PROTECT,
        related_name="transport_seats",
    )
    worker = models.ForeignKey(
        "workers.Worker",
        verbose_name=_("劳动力"),
        on_delete=models.PROTECT,
        related_name="transport_seats",
    )
    confirmed = models.BooleanField(_("已确认"), default=False)
    boarding = models.CharField(
        _("上车点名"), max_length=10, choices=BoardingStatus.choices, default=BoardingStatus.PENDING
    )
    boarding_marked_at = models.DateTimeField(_("点名时间"), null=True, blank=True)
    boarding_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("点名人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    released_at = models.DateTimeField(_("释放时间"), null=True, blank=True)
    release_reason = models.CharField(
        _("释放原因"), max_length=12, choices=ReleaseReason.choices, blank=True
    )
    checked_in_at = models.DateTimeField(_("到岗签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["trip_id", "car_id", "row", "letter", "id"]
        verbose_name = _("座位")
        verbose_name_plural = _("座位")
        constraints = [
            models.UniqueConstraint(
                fields=["trip", "worker"],
                condition=models.Q(released_at__isnull=True),
                name="seat_one_per_traveller_per_trip",
                violation_error_message=_("该劳动力在本车次已有座位。"),
            ),
            models.UniqueConstraint(
                fields=["car", "row", "letter"],
                condition=models.Q(released_at__isnull=True),
                name="seat_held_once",
                violation_error_message=_("该座位已有人。"),
            ),
            models.CheckConstraint(condition=models.Q(row__gte=1), name="seat_row_positive"),
            models.CheckConstraint(
                condition=~models.Q(boarding="no_show") | models.Q(released_at__isnull=False),
                name="seat_no_show_released",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "trip"]),
            models.Index(fields=["worker", "released_at"]),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Return the seat as printed on a ticket: 05车12F."""
        return _("%(car)02d车%(row)02d%(letter)s") % {
            "car": self.car.car_no,
            "row": self.row,
            "letter": self.letter,
        }

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class BusKind(models.TextChoices):
    FEEDER = "feeder", _("送站大巴")
    ARRIVAL = "arrival", _("接站分流大巴")


class Bus(models.Model):
    """A feeder bus (county pickup points → departure station) or an arrival bus (arrival
    station → the factory gates of one district: "胶州的跟我走") of one trip."""

    plan = models.ForeignKey(
        TransportPlan, verbose_name=_("运输方案"), on_delete=models.PROTECT, related_name="buses"
    )
    trip = models.ForeignKey(
        Trip, verbose_name=_("车次"), on_delete=models.PROTECT, related_name="buses"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=BusKind.choices)
    # The departure station's code (feeder) or the destination district's code (arrival).
    key = models.CharField(_("分组"), max_length=50)
    district = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("目的区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    vehicle_index = models.PositiveSmallIntegerField(_("车号"))
    capacity = models.PositiveSmallIntegerField(_("座位数"))
    # Changed only by conditional UPDATEs in transport.services.
    occupied = models.PositiveSmallIntegerField(_("乘车人数"), default=0, editable=False)
    departure_at = models.DateTimeField(_("发车时间"))
    arrival_at = models.DateTimeField(_("到达时间"))
    ride_minutes = models.PositiveIntegerField(_("行车时间（分钟）"), default=0)
    distance_km = models.FloatField(_("里程（公里）"), default=0)
    dedicated_employer = models.ForeignKey(
        "jobs.Employer",
        verbose_name=_("专车企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # [{"kind": "pickup_point"|"station"|"employer"|"workplace", "id": …, "name": …,
    #   "time": ISO 8601}] — on a return trip (返乡) employers are collected, points dropped at
    stops = models.JSONField(_("停靠点"), default=list, blank=True)
    adjusted = models.BooleanField(_("手工调整过"), default=False)
    # The vehicle the coordinator hired for this run; kept across re-planning for the bus of
    # the same trip, kind, group and number (see ``transport.runs``).
    plate_number = models.CharField(_("车牌号"), max_length=12, blank=True)
    driver_name = models.CharField(_("司机"), max_length=50, blank=True)
    driver_phone = models.CharField(_("司机电话"), max_length=11, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["trip_id", "kind", "key", "vehicle_index"]
        verbose_name = _("大巴")
        verbose_name_plural = _("大巴")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "trip", "kind", "key", "vehicle_index"], name="bus_unique_index"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="bus_has_seats"),
            models.CheckConstraint(
                condition=models.Q(occupied__lte=models.F("capacity")),
                name="bus_never_over_capacity",
                violation_error_message=_("大巴乘客不能多于座位数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trip.service_number} {self.get_kind_display()} {self.vehicle_index}"


class BusRider(models.Model):
    """One traveller on one bus, with where and when they get on (feeder) or off (arrival)."""

    bus = models.ForeignKey(
        Bus, verbose_name=_("大巴"), on_delete=models.CASCADE, related_name="riders"
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("座位"), on_delete=models.CASCADE, related_name="bus_rides"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=BusKind.choices)
    pickup_point = models.ForeignKey(
        PickupPoint,
        verbose_name=_("集合点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer = models.ForeignKey(
        "jobs.Employer",
        verbose_name=_("用工企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stop_time = models.DateTimeField(_("上/下车时间"), null=True, blank=True)

    class Meta:
        ordering = ["bus_id", "stop_time", "id"]
        verbose_name = _("乘车人")
        verbose_name_plural = _("乘车人")
        constraints = [
            # A seated traveller rides one feeder and one arrival bus of their trip.
            models.UniqueConstraint(fields=["seat", "kind"], name="bus_rider_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.bus} · {self.seat_id}"
