"""Forms of the transport pages: validate input, then the view calls a service."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from laborbridge import access
from laborbridge.models import Region, Station
from transport.models import PickupPoint, Trip, TripDirection, TripMode

_SEAT = re.compile(r"^\s*(\d{1,2})\s*(?:车|-|\s)\s*(\d{1,3})\s*([A-Za-z])\s*$")


def seat_label_parse(value: str) -> tuple[int, int, str] | None:
    """Return (car, row, letter) of a seat written "05车12F", "5-12F" or "5 12 f"."""
    found = _SEAT.match(value or "")
    if not found:
        return None
    return int(found.group(1)), int(found.group(2)), found.group(3).upper()


class SeatLabelField(forms.CharField):
    default_error_messages = {"invalid": _("座位请写成“05车12F”的形式。")}

    def clean(self, value):
        value = super().clean(value)
        parsed = seat_label_parse(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class CarSeatsField(forms.CharField):
    """Seats car by car, written "56,85,90,90" (blank: every car has the same)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        try:
            return [int(part) for part in re.split(r"[,，\s]+", value.strip()) if part]
        except ValueError:
            raise forms.ValidationError(_("请用逗号分隔各节车厢的座位数，如 56,85,90。")) from None


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TripForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("招聘行动"), queryset=None)
    mode = forms.ChoiceField(label=_("方式"), choices=TripMode.choices)
    direction = forms.ChoiceField(
        label=_("方向"),
        choices=TripDirection.choices,
        initial=TripDirection.OUTBOUND,
        required=False,  # empty: outbound
        help_text=_("返乡：在岗人员从用工地回户籍县；返岗：已返乡人员回原用工企业"),
    )
    service_number = forms.CharField(label=_("车次/航班号"), max_length=20)
    origin = forms.ModelChoiceField(label=_("出发站"), queryset=Station.objects.all())
    destination = forms.ModelChoiceField(label=_("到达站"), queryset=Station.objects.all())
    departure_at = forms.DateTimeField(label=_("出发时间"), widget=_datetime_widget())
    arrival_at = forms.DateTimeField(label=_("到达时间"), widget=_datetime_widget())
    cars = forms.IntegerField(label=_("车厢/车辆数"), min_value=1, max_value=40)
    seats_per_car = forms.IntegerField(
        label=_("每节车厢座位数"), min_value=1, max_value=400, required=False
    )
    car_seats = CarSeatsField(
        label=_("各车厢座位数"),
        required=False,
        help_text=_("各节不同时填写，如 56,85,90,90；填写后以此为准"),
    )
    first_car_no = forms.IntegerField(label=_("起始车厢号"), min_value=1, initial=1)
    seat_letters = forms.CharField(
        label=_("座位字母"), max_length=8, required=False, help_text=_("留空按方式默认")
    )
    operator = forms.CharField(label=_("承运方"), max_length=100, required=False)
    escort_name = forms.CharField(label=_("带队人"), max_length=50, required=False)
    escort_phone = forms.CharField(label=_("带队人电话"), max_length=20, required=False)
    fare_per_seat = forms.DecimalField(
        label=_("每座票价（元）"), min_value=0, decimal_places=2, initial=0
    )
    fare_per_vehicle = forms.DecimalField(
        label=_("每车/整列包价（元）"), min_value=0, decimal_places=2, initial=0
    )
    feeder_bus_fare = forms.DecimalField(
        label=_("送站大巴每车费用（元）"),
        min_value=0,
        decimal_places=2,
        required=False,
        help_text=_("留空按运输方案的统一标准"),
    )
    arrival_bus_fare = forms.DecimalField(
        label=_("接站大巴每车费用（元）"),
        min_value=0,
        decimal_places=2,
        required=False,
        help_text=_("留空按运输方案的统一标准"),
    )
    note = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = access.transport_campaigns_managed_by(user)

    def clean(self):
        data = super().clean()
        if not data.get("seats_per_car") and not data.get("car_seats"):
            self.add_error("seats_per_car", _("请填写每节车厢座位数或各车厢座位数。"))
        return data

    @classmethod
    def initial_for(cls, trip: Trip) -> dict:
        return {
            "campaign": trip.campaign_id,
            "mode": trip.mode,
            "direction": trip.direction,
            "service_number": trip.service_number,
            "origin": trip.origin_id,
            "destination": trip.destination_id,
            "departure_at": trip.departure_at,
            "arrival_at": trip.arrival_at,
            "cars": trip.cars,
            "seats_per_car": trip.seats_per_car,
            "car_seats": ",".join(str(n) for n in trip.car_seats),
            "first_car_no": trip.first_car_no,
            "seat_letters": trip.seat_letters,
            "operator": trip.operator,
            "escort_name": trip.escort_name,
            "escort_phone": trip.escort_phone,
            "fare_per_seat": trip.fare_per_seat,
            "fare_per_vehicle": trip.fare_per_vehicle,
            "feeder_bus_fare": trip.feeder_bus_fare,
            "arrival_bus_fare": trip.arrival_bus_fare,
            "note": trip.note,
        }


class PlanRunForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("招聘行动"), queryset=None)
    seed = forms.IntegerField(
        label=_("随机种子"), min_value=0, initial=0, help_text=_("相同输入和种子得到相同方案。")
    )
    max_wait_days = forms.IntegerField(
        label=_("最多等待天数"),
        min_value=0,
        max_value=60,
        initial=5,
        help_text=_("最早出发日期之后最多再等几天"),
    )
    station_buffer_minutes = forms.IntegerField(
        label=_("送站大巴提前到站（分钟）"), min_value=0, max_value=600, initial=90
    )
    feeder_bus_seats = forms.IntegerField(
        label=_("送站大巴座位数"), min_value=5, max_value=80, initial=50
    )
    arrival_bus_seats = forms.IntegerField(
        label=_("接站大巴座位数"), min_value=5, max_value=80, initial=50
    )

    min_fill_percent = forms.IntegerField(
        label=_("专列/包机最低上座率（%）"),
        min_value=0,
        max_value=100,
        initial=50,
        help_text=_("人数不足时不预订整列专列或包机"),
    )

    feeder_bus_fare = forms.DecimalField(
        label=_("送站大巴每车费用（元）"),
        min_value=0,
        decimal_places=2,
        required=False,
        help_text=_("车次单独设置的费用优先"),
    )
    arrival_bus_fare = forms.DecimalField(
        label=_("接站大巴每车费用（元）"),
        min_value=0,
        decimal_places=2,
        required=False,
        help_text=_("车次单独设置的费用优先"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = access.transport_campaigns_managed_by(user)

    def params(self) -> dict:
        keys = ("max_wait_days", "station_buffer_minutes", "feeder_bus_seats", "arrival_bus_seats")
        params = {key: self.cleaned_data[key] for key in keys}
        fill = self.cleaned_data["min_fill_percent"] / 100
        params.update(min_fill_special_train=fill, min_fill_charter_flight=fill)
        for key in ("feeder_bus_fare", "arrival_bus_fare"):
            if self.cleaned_data.get(key) is not None:
                fare = float(self.cleaned_data[key])
                params[key] = int(fare) if fare.is_integer() else fare
        return params


class PlanFaresForm(forms.Form):
    """What one feeder and one arrival bus cost in a plan's accounts."""

    feeder_bus_fare = forms.DecimalField(
        label=_("送站大巴每车费用（元）"), min_value=0, decimal_places=2
    )
    arrival_bus_fare = forms.DecimalField(
        label=_("接站大巴每车费用（元）"), min_value=0, decimal_places=2
    )


class SeatMoveForm(forms.Form):
    from_trip = forms.ModelChoiceField(label=_("原车次"), queryset=None)
    from_seat = SeatLabelField(label=_("原座位"), max_length=12)
    to_trip = forms.ModelChoiceField(label=_("新车次"), queryset=None)
    to_seat = SeatLabelField(label=_("新座位"), max_length=12)

    def __init__(self, *args, trips, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_trip"].queryset = trips
        self.fields["to_trip"].queryset = trips


class SeatSwapForm(forms.Form):
    trip = forms.ModelChoiceField(label=_("车次"), queryset=None)
    seat_a = SeatLabelField(label=_("座位一"), max_length=12)
    seat_b = SeatLabelField(label=_("座位二"), max_length=12)

    def __init__(self, *args, trips, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trip"].queryset = trips


class TownshipField(forms.ChoiceField):
    """A township of the given counties, the options grouped by county; cleans to a Region."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self._townships: dict[str, Region] = {}

    def limit_to(self, counties) -> None:
        townships = Region.objects.filter(
            level=Region.Level.TOWNSHIP, parent__in=counties
        ).select_related("parent")
        self._townships = {t.code: t for t in townships.order_by("code")}
        groups: dict[str, list] = {}
        for township in self._townships.values():
            groups.setdefault(township.parent.name, []).append((township.code, township.name))
        empty = [("", _("（全县）"))]
        if len(groups) == 1:
            self.choices = empty + next(iter(groups.values()))
        else:
            self.choices = empty + list(groups.items())

    def clean(self, value):
        value = super().clean(value)
        return self._townships.get(value) if value else None


class PickupPointForm(forms.Form):
    county = forms.ModelChoiceField(label=_("县区"), queryset=None)
    township = TownshipField(
        label=_("乡镇"), help_text=_("只服务某个乡镇时选择；该乡镇的劳动力优先在此上车。")
    )
    name = forms.CharField(label=_("集合点名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    latitude = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    is_default = forms.BooleanField(label=_("设为本县默认集合点"), required=False)

    def __init__(self, *args, user, point: PickupPoint | None = None, **kwargs):
        if point is not None:
            kwargs.setdefault("initial", self.initial_for(point))
        super().__init__(*args, **kwargs)
        counties = access.pickup_point_counties_managed_by(user).order_by("code")
        if point is not None:
            counties = counties.filter(pk=point.county_id)
        self.fields["county"].queryset = counties
        if point is not None or counties.count() == 1:
            # The county of an existing point never changes; an official has only theirs.
            only = point.county_id if point is not None else counties.first().pk
            self.fields["county"].initial = only
            self.fields["county"].disabled = True
        self.fields["township"].limit_to(counties)

    @staticmethod
    def initial_for(point: PickupPoint) -> dict:
        return {
            "county": point.county_id,
            "township": point.township_id or "",
            "name": point.name,
            "address": point.address,
            "latitude": point.latitude,
            "longitude": point.longitude,
            "is_default": point.is_default,
        }

    def clean(self):
        data = super().clean()
        county, township = data.get("county"), data.get("township")
        if county is not None and township is not None and township.parent_id != county.pk:
            self.add_error("township", _("乡镇不属于所选县区。"))
        return data


class BusVehicleForm(forms.Form):
    """The vehicle hired for a feeder or arrival bus; the service checks the formats."""

    plate_number = forms.CharField(label=_("车牌号"), max_length=20, required=False)
    driver_name = forms.CharField(label=_("司机"), max_length=50, required=False)
    driver_phone = forms.CharField(label=_("司机电话"), max_length=20, required=False)


class CarrierExportForm(forms.Form):
    reason = forms.CharField(
        label=_("导出原因"),
        max_length=200,
        help_text=_("如：铁路部门实名制购票核验。导出会被记录。"),
    )
