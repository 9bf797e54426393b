"""Who may see and change what — the one place that answers it.

Every page, export and API endpoint starts from one of these querysets, so scoping cannot
be forgotten: a view never calls ``Worker.objects.get(pk=…)`` itself but
``get_object_or_404(workers_visible_to(user), pk=…)``, which answers 404 — not 403 — for
an object outside the user's scope, so ids of other counties' workers are not confirmed.

Scopes:

* county official — the workers of one county; reads verified employers and their
  vacancies in the eastern regions paired with that county.
* employer HR — their own employer and its vacancies; no worker registry access.
* coordinator — one pairing: the workers of its western region, the employers and
  vacancies of its eastern region, its campaigns.
* liaison of an eastern workstation (驻外劳务工作站联络员) — one pairing's placed workers:
  the employment records (and those workers' pages, read-only) of the pairing's western
  people at employers in the liaison's districts (none chosen: the pairing's whole eastern
  side). Never workers who were not placed, never another pairing's people, no ID reveal.
* township labour officer (乡镇劳务专干) — one township of a western county: its workers
  (home township, or a coded village inside it), read-only; their step of the subsidy chain.
* admin (role or superuser) — everything.

Floors: this is the one module of the ground floor that names the domain models of the
floors above (workers, jobs, matching, transport). Scoping must be answered in one place
so that it cannot be forgotten or answered twice; each "visible to" queryset has to name
the model it filters. The import-direction test (tests/laborbridge/test_codebase.py) lists
this module as its exception for that reason; nothing else on the ground floor may lean on
it to reach the apps above.
"""

from functools import wraps
from typing import NamedTuple

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from jobs.models import Employer, Vacancy, VerificationStatus
from laborbridge.models import Campaign, Pairing, Region, Role, User
from workers.models import Worker


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return user.role or None


def _prefix_q(field: str, prefixes: list[str]) -> Q:
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(**{f"{field}__startswith": prefix})
    return query


def pairings_of(user: User) -> QuerySet[Pairing]:
    """Return the pairings the user works within."""
    role = _role(user)
    pairings = Pairing.objects.select_related("east_region", "west_region")
    if role == Role.ADMIN:
        return pairings.all()
    if role in (Role.COORDINATOR, Role.LIAISON):
        return pairings.filter(pk=user.pairing_id)
    if role == Role.COUNTY_OFFICIAL:
        ids = [p.pk for p in pairings.all() if p.west_region.contains(user.county_id)]
        return pairings.filter(pk__in=ids)
    if role == Role.EMPLOYER_HR:
        district = user.employer.district_id
        ids = [p.pk for p in pairings.all() if p.east_region.contains(district)]
        return pairings.filter(pk__in=ids)
    return pairings.none()


def _pairing_prefixes(user: User) -> list[tuple[str, str]]:
    """Return (west prefix, east prefix) of the user's pairings, read once per user object.

    A page asks several scoping functions (its rows, the menu's badges) and each needs the
    prefixes; ``request.user`` lives for one request, so remembering them on the object keeps
    a page from reading the pairings four times. The key holds the scope fields, so a changed
    role or scope on the same object reads them again."""
    key = tuple(getattr(user, f, None) for f in ("pk", "pairing_id", "county_id", "employer_id"))
    key = (_role(user), *key)
    cached = getattr(user, "_lb_pairing_prefixes", None)
    if cached is None or cached[0] != key:
        prefixes = [(p.west_region.prefix, p.east_region.prefix) for p in pairings_of(user)]
        cached = (key, prefixes)
        user._lb_pairing_prefixes = cached  # type: ignore[attr-defined]
    return cached[1]


def west_prefixes_of(user: User) -> list[str]:
    return [west for west, _east in _pairing_prefixes(user)]


def east_prefixes_of(user: User) -> list[str]:
    return [east for _west, east in _pairing_prefixes(user)]


# --- the role ladder ----------------------------------------------------------------------
# Every scope below climbs the same ladder: admin → everything; county official → their home
# county; HR → their employer; coordinator → inside their pairing (western county, eastern
# place); liaison → their pairing's western people in their districts. What differs from one
# model to the next is only the field path from a row to that county, employer or place, so
# a scope names its paths and ``_scoped`` climbs the ladder. A role given no path sees nothing.
# (A township officer's rung: the row's township, for the subsidy chain's rows.)

ITSELF = ""  # the field path of the row itself (a Region, an Employer)


class Sides(NamedTuple):
    """Field paths from a row to its two sides of a pairing; ``None``: that side is not checked.

    ``west`` leads to the worker's western county, ``east`` to the eastern county-level place
    (an employer's district, a workplace). With ``east_may_be_unknown`` a row whose eastern
    place is not known yet (NULL) passes too.
    """

    west: str | None = None
    east: str | None = None
    east_may_be_unknown: bool = False


def _id_field(path: str) -> str:
    return f"{path}_id" if path else "pk"


def _code_field(path: str) -> str:
    return f"{path}__code" if path else "code"


def _sides_q(user: User, sides: Sides, east_q) -> list[Q]:
    """Return the filters of ``sides``: the west inside the user's pairings, the east by
    ``east_q(path)`` (the coordinator's eastern region, the liaison's districts)."""
    parts = []
    if sides.west is not None:
        parts.append(_prefix_q(_code_field(sides.west), west_prefixes_of(user)))
    if sides.east is not None:
        east = east_q(sides.east)
        if sides.east_may_be_unknown:
            east = Q(**{f"{sides.east}__isnull": True}) | east
        parts.append(east)
    return parts


def _scoped(
    rows: QuerySet,
    user: User,
    *,
    official: str | None = None,
    hr: str | None = None,
    coordinator: Sides | None = None,
    liaison: Sides | None = None,
    township: str | None = None,
) -> QuerySet:
    """Return ``rows`` narrowed to the user's scope on the role ladder (see above).

    ``official`` is the path to the row's western county, ``hr`` to its employer;
    ``coordinator`` and ``liaison`` are the row's two sides of the pairing — a liaison's
    ``east`` is narrowed to their districts (none chosen: the pairing's whole eastern side);
    ``township`` is the path to the row's township, for a township officer.
    """
    role = _role(user)
    if role == Role.ADMIN:
        return rows
    if role == Role.COUNTY_OFFICIAL and official is not None:
        return rows.filter(**{_id_field(official): user.county_id})
    if role == Role.EMPLOYER_HR and hr is not None:
        return rows.filter(**{_id_field(hr): user.employer_id})
    if role == Role.COORDINATOR and coordinator is not None:
        east_prefixes = lambda path: _prefix_q(_code_field(path), east_prefixes_of(user))  # noqa: E731
        return rows.filter(*_sides_q(user, coordinator, east_prefixes))
    if role == Role.LIAISON and liaison is not None:
        districts = lambda path: liaison_districts_q(user, path)  # noqa: E731
        return rows.filter(*_sides_q(user, liaison, districts))
    if role == Role.TOWNSHIP_OFFICER and township is not None:
        return rows.filter(**{_id_field(township): user.township_id})
    return rows.none()


def _by_west_county(rows: QuerySet, user: User, county: str) -> QuerySet:
    """Rows of a western county: all for admins, the official's own county, the coordinator's
    pairings' western counties; nothing for anyone else. ``county`` is the rows' county field."""
    return _scoped(rows, user, official=county, coordinator=Sides(west=county))


def _for_roles(rows: QuerySet, user: User, roles: tuple[str, ...]) -> QuerySet:
    """Return ``rows`` to users of ``roles``, nothing to anyone else."""
    return rows if has_role(user, *roles) else rows.none()


def liaison_districts_q(user: User, field: str) -> Q:
    """Return the filter on an eastern county-level ``field`` (a Region foreign key) for a
    liaison: their chosen districts, or the pairing's whole eastern side when none are."""
    district_ids = [district.pk for district in user.districts.all()]
    if district_ids:
        return Q(**{f"{_id_field(field)}__in": district_ids})
    pairing = Pairing.objects.select_related("east_region").filter(pk=user.pairing_id).first()
    return _prefix_q(_code_field(field), [pairing.east_region.prefix] if pairing else [])


# An employment record's sides: the worker's western county, the arrival employer's district.
_EMPLOYMENT_SIDES = Sides("worker__home_county", "employer__district")


def _liaison_employments(user: User):
    """Employment records a liaison sees: the pairing's western people placed in their
    districts (both sides, so a Qingdao–Longnan liaison never sees Dingxi's people)."""
    from workers.models import Employment

    return _scoped(Employment.objects.all(), user, liaison=_EMPLOYMENT_SIDES)


def township_workers_q(user: User, field: str = "") -> Q:
    """Return the filter for the workers of a township officer's township: home township,
    or a coded home village inside it (``field`` prefixes the worker, e.g. ``"worker__"``)."""
    if not user.township_id:
        return Q(pk__in=[])
    return Q(**{f"{field}home_township_id": user.township_id}) | Q(
        **{f"{field}home_village__code__startswith": user.township_id}
    )


def workers_visible_to(user: User) -> QuerySet[Worker]:
    if _role(user) == Role.LIAISON:
        return Worker.objects.filter(pk__in=_liaison_employments(user).values("worker_id"))
    if _role(user) == Role.TOWNSHIP_OFFICER:
        # Read-only: a township officer registers nobody (workers_editable_by excludes them).
        return Worker.objects.filter(township_workers_q(user))
    return _by_west_county(Worker.objects.all(), user, "home_county")


def workers_editable_by(user: User) -> QuerySet[Worker]:
    """Return the workers the user may register, edit or reveal: their county's (or all)."""
    return _scoped(Worker.objects.all(), user, official="home_county")


def counties_for_registration(user: User) -> QuerySet[Region]:
    """Return the counties whose workers the user may register."""
    return _scoped(Region.objects.filter(level=Region.Level.COUNTY), user, official=ITSELF)


def employers_visible_to(user: User) -> QuerySet[Employer]:
    employers = Employer.objects.all()
    if _role(user) == Role.COUNTY_OFFICIAL:
        # An official reads the verified employers of the eastern regions paired with the
        # county (the employer, not the official, is on the eastern side).
        return employers.filter(
            _prefix_q("district__code", east_prefixes_of(user)),
            verification_status=VerificationStatus.VERIFIED,
        )
    sides = Sides(east="district")
    return _scoped(employers, user, hr=ITSELF, coordinator=sides, liaison=sides)


def employers_editable_by(user: User) -> QuerySet[Employer]:
    return _scoped(Employer.objects.all(), user, hr=ITSELF)


def employers_verifiable_by(user: User) -> QuerySet[Employer]:
    """Return the employers whose verification the user may decide (coordinators, admin)."""
    return _scoped(Employer.objects.all(), user, coordinator=Sides(east="district"))


def vacancies_visible_to(user: User) -> QuerySet[Vacancy]:
    role = _role(user)
    vacancies = Vacancy.objects.all()
    if role in (Role.COORDINATOR, Role.COUNTY_OFFICIAL):
        # Those of the employers they see; an official never sees a draft.
        vacancies = vacancies.filter(employer__in=employers_visible_to(user))
        return vacancies.exclude(status="draft") if role == Role.COUNTY_OFFICIAL else vacancies
    return _scoped(vacancies, user, hr="employer")


def vacancies_editable_by(user: User) -> QuerySet[Vacancy]:
    return _scoped(Vacancy.objects.all(), user, hr="employer")


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    role = _role(user)
    if role == Role.ADMIN:
        return Campaign.objects.all()
    if role is None:
        return Campaign.objects.none()
    return Campaign.objects.filter(pairing__in=pairings_of(user))


def campaigns_managed_by(user: User) -> QuerySet[Campaign]:
    """Return the campaigns the user runs (their transport, their follow-up schedule): a
    coordinator their pairing's, admin all."""
    if _role(user) in (Role.ADMIN, Role.COORDINATOR):
        return campaigns_visible_to(user)
    return Campaign.objects.none()


def matches_visible_to(user: User):
    """Return the matches the user may see: their county's workers, their employer's
    candidates once a coordinator has offered them, or their pairing's."""
    from matching.models import Match, MatchStatus

    matches = _scoped(
        Match.objects.all(),
        user,
        official="worker__home_county",
        hr="vacancy__employer",
        coordinator=Sides("worker__home_county", "vacancy__district"),
    )
    if _role(user) == Role.EMPLOYER_HR:
        # HR meets a candidate once a coordinator has offered them, not before.
        matches = matches.exclude(
            status__in=[MatchStatus.PROPOSED, MatchStatus.APPROVED, MatchStatus.REJECTED]
        )
    return matches


def matches_reviewable_by(user: User):
    """Return the matches the user may approve, reject or offer (coordinators, admin)."""
    return _for_roles(matches_visible_to(user), user, COORDINATORS)


def matches_answerable_for_worker_by(user: User):
    """Return the matches whose worker's answer the user may record (their county's)."""
    return _for_roles(matches_visible_to(user), user, OFFICIALS)


def matches_answerable_for_employer_by(user: User):
    """Return the matches the user may confirm or decline for the employer."""
    return _for_roles(matches_visible_to(user), user, HR)


def pairings_with_dashboard(user: User) -> QuerySet[Pairing]:
    """Return the pairings whose dashboard, agreement and two lists the user may open:
    a coordinator's own, every one for admins (issue 16)."""
    role = _role(user)
    pairings = Pairing.objects.select_related("east_region", "west_region")
    if role == Role.ADMIN:
        return pairings.all()
    if role == Role.COORDINATOR:
        return pairings.filter(pk=user.pairing_id)
    return pairings.none()


def counties_with_dashboard(user: User) -> QuerySet[Region]:
    """Return the western counties whose dashboard and two lists the user may open: an
    official's own county, a coordinator's pairing's western counties, all for admins."""
    return _by_west_county(Region.objects.filter(level=Region.Level.COUNTY), user, ITSELF)


def has_role(user: User, *roles: str) -> bool:
    """Return whether the user's role (superusers count as admin) is one of ``roles``."""
    return _role(user) in roles


# --- role checks ---------------------------------------------------------------------
# Pages use ``require_role``, the API the permission classes below; both read the Role enum
# here, so no other module compares role strings. Admins pass the named groups because
# every role check in the project lets them do what the role may.

OFFICIALS = (Role.COUNTY_OFFICIAL, Role.ADMIN)
HR = (Role.EMPLOYER_HR, Role.ADMIN)
COORDINATORS = (Role.COORDINATOR, Role.ADMIN)
# A township officer reads the registry of their township (workers_visible_to narrows it).
REGISTRY_READERS = (Role.COUNTY_OFFICIAL, Role.COORDINATOR, Role.TOWNSHIP_OFFICER, Role.ADMIN)
TRANSPORT_STAFF = (Role.COUNTY_OFFICIAL, Role.COORDINATOR, Role.ADMIN)
ADMINS = (Role.ADMIN,)
LIAISONS = (Role.LIAISON, Role.ADMIN)
TOWNSHIP_OFFICERS = (Role.TOWNSHIP_OFFICER, Role.ADMIN)

_WRONG_ROLE = _("您的角色无权进行此操作。")


def is_official(user: User) -> bool:
    """Return whether the user is a county official (or admin)."""
    return has_role(user, *OFFICIALS)


def is_hr(user: User) -> bool:
    """Return whether the user is an employer's HR (or admin)."""
    return has_role(user, *HR)


def is_coordinator(user: User) -> bool:
    """Return whether the user is a coordinator (or admin)."""
    return has_role(user, *COORDINATORS)


def is_liaison(user: User) -> bool:
    """Return whether the user is an eastern workstation's liaison (or admin)."""
    return has_role(user, *LIAISONS)


def is_township_officer(user: User) -> bool:
    """Return whether the user is a township labour officer (or admin)."""
    return has_role(user, *TOWNSHIP_OFFICERS)


def is_admin(user: User) -> bool:
    """Return whether the user is an administrator (role or superuser)."""
    return has_role(user, *ADMINS)


def require_role(*roles: str, message=None):
    """Return a page-view decorator that lets only users of ``roles`` in.

    Anonymous visitors are redirected to sign in; a signed-in user of another role gets
    403 with ``message``. On a class-based view use ``RoleRequiredMixin``.
    """
    if not roles:
        raise ValueError("require_role needs at least one role")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied(message or _WRONG_ROLE)
            return view(request, *args, **kwargs)

        wrapped.required_roles = tuple(roles)
        return wrapped

    return decorator


class RoleRequiredMixin:
    """Let only users of ``required_roles`` into a class-based page (see ``require_role``)."""

    required_roles: tuple[str, ...] = ()
    role_denied_message = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, *self.required_roles):
            raise PermissionDenied(self.role_denied_message or _WRONG_ROLE)
        return super().dispatch(request, *args, **kwargs)


class HasRole(BasePermission):
    """Allow API requests of users whose role is in ``roles``.

    ``read_roles``, when set, replaces ``roles`` for GET, HEAD and OPTIONS (e.g. the
    registry: coordinators read, only officials write). Build one with ``HasRole.of(…)``;
    anonymous requests are answered ``not_authenticated`` by DRF.
    """

    roles: tuple[str, ...] = ()
    read_roles: tuple[str, ...] | None = None
    message = _WRONG_ROLE

    def has_permission(self, request, view) -> bool:
        roles = self.roles
        if self.read_roles is not None and request.method in SAFE_METHODS:
            roles = self.read_roles
        return has_role(request.user, *roles)

    @classmethod
    def of(cls, *roles: str, read: tuple[str, ...] | None = None, message=None):
        """Return a permission class allowing ``roles`` (``read`` for safe methods)."""
        attrs = {"roles": tuple(roles), "read_roles": tuple(read) if read else None}
        if message is not None:
            attrs["message"] = message
        return type(f"{cls.__name__}Of", (cls,), attrs)


class IsOfficial(HasRole):
    """County officials and admins."""

    roles = OFFICIALS


class IsHR(HasRole):
    """Employers' HR and admins."""

    roles = HR


class IsCoordinator(HasRole):
    """Coordinators and admins."""

    roles = COORDINATORS


class IsLiaison(HasRole):
    """Eastern workstations' liaisons and admins."""

    roles = LIAISONS


class IsRegistryReader(HasRole):
    """Officials, coordinators and admins read the registry; officials and admins write."""

    roles = OFFICIALS
    read_roles = REGISTRY_READERS


class ScopedAdminMixin:
    """Make a domain model's Django admin scoped and read-only.

    Rows come from ``scope(user)`` (one of the functions above, set with ``staticmethod``),
    so a coordinator sees their pairing's rows only. Users of ``admin_roles`` may open it
    without per-model permission rows. There is no add, change or delete form: changes go
    through admin actions that call the app's services, which check, lock and audit.
    """

    scope = None
    admin_roles: tuple[str, ...] = COORDINATORS

    def get_queryset(self, request):
        rows = self.scope(request.user)
        ordering = self.get_ordering(request)
        return rows.order_by(*ordering) if ordering else rows

    def has_module_permission(self, request):
        return has_role(request.user, *self.admin_roles) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, *self.admin_roles) or super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def campaigns_public() -> QuerySet[Campaign]:
    """Return the campaigns whose job board anyone (no login) may open by its code."""
    return Campaign.objects.all()


def vacancies_public(campaign: Campaign | None = None) -> QuerySet[Vacancy]:
    """Return what the public job board may show: open vacancies with places left, of
    verified employers (optionally of one campaign). Drafts, paused, closed and filled
    vacancies and every vacancy of a pending or rejected employer stay private."""
    vacancies = Vacancy.objects.filter(
        status="open",
        employer__verification_status=VerificationStatus.VERIFIED,
        filled_count__lt=F("headcount"),
    )
    if campaign is not None:
        vacancies = vacancies.filter(campaign=campaign)
    return vacancies


def vacancies_matchable(campaign: Campaign | None = None) -> QuerySet[Vacancy]:
    """Return the vacancies a matching round may fill: the same rule as the public board,
    so an unverified employer's vacancy is never proposed candidates."""
    return vacancies_public(campaign)


def districts_for_employer_registration(user: User) -> QuerySet[Region]:
    """Return the county-level districts where the user may register a new employer: a
    coordinator within their pairing's eastern region, an admin anywhere."""
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    return _scoped(counties, user, coordinator=Sides(east=ITSELF))


def import_jobs_visible_to(user: User):
    """Return the spreadsheet imports the user may see and act on: their own (admin: all)."""
    from laborbridge.imports.models import ImportJob

    role = _role(user)
    if role == Role.ADMIN:
        return ImportJob.objects.all()
    if role is None:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(owner_id=user.pk)


def travel_groups_visible_to(user: User):
    """Return the travel groups (villages' and families' groups) of the workers the user sees."""
    from workers.models import TravelGroup

    return _by_west_county(TravelGroup.objects.all(), user, "home_county")


def employments_visible_to(user: User):
    """Return the employment records of the workers the user sees. HR: those whose history
    passes through their employer — arrived there or moved there by a 换岗 / 再次外出 (the
    pages cut the history of a worker who moved on at the day they left)."""
    from placement.models import EmploymentEvent
    from workers.models import Employment

    role = _role(user)
    if role == Role.EMPLOYER_HR:
        moved_in = EmploymentEvent.objects.filter(
            employment=OuterRef("pk"), employer_id=user.employer_id
        )
        return Employment.objects.filter(Q(employer_id=user.employer_id) | Exists(moved_in))
    if role == Role.LIAISON:
        return _liaison_employments(user)
    return Employment.objects.filter(worker__in=workers_visible_to(user))


def signups_visible_to(user: User):
    """Return the QR-code self-signups in the user's queue: their county's (admin: all)."""
    from workers.models import SelfSignup

    return _scoped(SelfSignup.objects.all(), user, official="home_county")


# --- point-to-point transport -----------------------------------------------------------
# Coordinators plan the transport of their pairing's campaigns; a county official sees the
# seats of their county's workers, HR the seats of the people coming to their company.


def transport_campaigns_managed_by(user: User) -> QuerySet[Campaign]:
    """Return the campaigns whose trips and plans the user manages (coordinators, admin)."""
    return campaigns_managed_by(user)


def trips_managed_by(user: User):
    """Return the trips the user may edit, plan, print and roll-call."""
    from transport.models import Trip

    return Trip.objects.filter(campaign__in=transport_campaigns_managed_by(user))


def trips_visible_to(user: User):
    """Return the trips the user may see: managed ones, or those carrying their people."""
    from transport.models import Trip

    role = _role(user)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return trips_managed_by(user)
    if role in (Role.COUNTY_OFFICIAL, Role.EMPLOYER_HR):
        return Trip.objects.filter(
            pk__in=seats_visible_to(user).filter(released_at=None).values("trip_id")
        )
    return Trip.objects.none()


def transport_plans_visible_to(user: User):
    """Return the transport plans the user may see and act on (coordinators, admin)."""
    from transport.models import TransportPlan

    return TransportPlan.objects.filter(campaign__in=transport_campaigns_managed_by(user))


def seats_visible_to(user: User):
    """Return the seats the user may see: their campaigns', county's or employer's."""
    from transport.models import Seat

    seats = Seat.objects.all()
    if _role(user) == Role.COORDINATOR:
        # A trip belongs to a campaign, the campaign to the coordinator's pairing.
        return seats.filter(trip__campaign__in=transport_campaigns_managed_by(user))
    return _scoped(seats, user, official="worker__home_county", hr="match__vacancy__employer")


def seats_managed_by(user: User):
    """Return the seats the user may move, swap and roll-call (coordinators, admin)."""
    from transport.models import Seat

    return Seat.objects.filter(trip__in=trips_managed_by(user))


def seats_checkable_in_by(user: User):
    """Return the seats whose arrival at the gate the user may confirm (HR, admin)."""
    from transport.models import Seat

    return _scoped(Seat.objects.all(), user, hr="match__vacancy__employer")


def buses_visible_to(user: User):
    """Return the feeder and arrival buses the user may see and print (coordinators, admin)."""
    from transport.models import Bus

    return Bus.objects.filter(trip__in=trips_managed_by(user))


def messages_visible_to(user: User):
    """Return the outbox messages addressed to the user: to them by name, or to the
    officials of their county, the HR users of their employer, the coordinators (or the
    workstation liaisons) of their pairing. Admins see every message; anonymous and role-less users none."""
    from django.db.models import Exists, OuterRef

    from laborbridge.notifications.models import AudienceKind, Message, MessageAudience

    role = _role(user)
    if role is None:
        return Message.objects.none()
    if role == Role.ADMIN:
        return Message.objects.all()
    mine = Q(kind=AudienceKind.USER, target=str(user.pk))
    if role == Role.COUNTY_OFFICIAL and user.county_id:
        mine |= Q(kind=AudienceKind.COUNTY, target=str(user.county_id))
    if role == Role.EMPLOYER_HR and user.employer_id:
        mine |= Q(kind=AudienceKind.EMPLOYER, target=str(user.employer_id))
    if role == Role.COORDINATOR and user.pairing_id:
        mine |= Q(kind=AudienceKind.PAIRING, target=str(user.pairing_id))
    if role == Role.LIAISON and user.pairing_id:
        mine |= Q(kind=AudienceKind.LIAISONS, target=str(user.pairing_id))
    return Message.objects.filter(
        Exists(MessageAudience.objects.filter(mine, message=OuterRef("pk")))
    )


def pickup_points_visible_to(user: User):
    """Return the pickup points of the western counties the user works with."""
    from transport.models import PickupPoint

    return _by_west_county(PickupPoint.objects.all(), user, "county")


def pickup_point_counties_managed_by(user: User) -> QuerySet[Region]:
    """Return the counties whose pickup points the user may add, edit and remove: a county
    official their own county, a coordinator their pairing's western counties, admin all."""
    return _by_west_county(Region.objects.filter(level=Region.Level.COUNTY), user, ITSELF)


def pickup_points_managed_by(user: User):
    """Return the pickup points the user may edit and remove (see the counties above)."""
    from transport.models import PickupPoint

    if _role(user) == Role.ADMIN:
        return PickupPoint.objects.all()
    return PickupPoint.objects.filter(county__in=pickup_point_counties_managed_by(user))


# --- employment history (placement) ------------------------------------------------------
# Who records a placed worker's 在岗确认 / 换岗 / 离职 / 返乡 / 再次外出: the worker's county
# officials and the coordinators of the pairing the worker went through (western county
# *and* eastern employer inside the pairing); an employer's HR only reports leavers, and only
# of their own employees. A workstation liaison records on the placed workers they see (their
# visits find the job changes and leavers). Reading the history follows
# ``employments_visible_to``.


def employments_history_writable_by(user: User):
    """Return the employment records whose history the user may write (any event kind)."""
    from workers.models import Employment

    return _scoped(
        Employment.objects.all(),
        user,
        official="worker__home_county",
        coordinator=_EMPLOYMENT_SIDES,
        liaison=_EMPLOYMENT_SIDES,
    )


def employments_leaving_recordable_by(user: User):
    """Return the employment records on which the user may record a 离职: those above, and
    for HR their own employer's (the service also checks the worker still works there)."""
    from workers.models import Employment

    if _role(user) == Role.EMPLOYER_HR:
        return Employment.objects.filter(
            Q(employer_id=user.employer_id) | Q(current_employer_id=user.employer_id)
        )
    return employments_history_writable_by(user)


# --- the worker's personal link and travel notice (selfservice) ----------------------------
# A worker has no account: their county's officials and the coordinators of their pairing
# (western side) issue, revoke and print the link; HR, other counties and other pairings never.


def personal_link_workers_managed_by(user: User) -> QuerySet[Worker]:
    """Return the workers whose personal link and travel notice the user may issue, revoke
    and print: an official their county's, a coordinator their pairing's, admin all."""
    return _by_west_county(Worker.objects.all(), user, "home_county")


# --- rosters and filing exports (placement, issue 13) -----------------------------------
# The receiving city's roster of the people at work there (在岗人员花名册) lists employment
# records at work now, by their current employer and workplace (the derived fields the
# history services keep). A coordinator reads their pairing's (its western workers now working
# in its eastern region), a liaison those in their districts, HR the rows whose current
# employer is theirs (a worker who moved to another employer leaves HR's roster). The county's
# export for the poverty-monitoring system carries full ID numbers: the county's officials
# only (admin: any county); each run and each download is audited.


def roster_employments_visible_to(user: User):
    """Return the employment records at work now that the user's roster lists (a liaison:
    those working in their districts)."""
    from workers.models import Employment, EmploymentStatus

    employments = Employment.objects.filter(status=EmploymentStatus.EMPLOYED)
    now = Sides("worker__home_county", "current_workplace")
    return _scoped(employments, user, hr="current_employer", coordinator=now, liaison=now)


def census_employments_visible_to(user: User):
    """Return the employment records of the county's monthly census (月度在岗摸底表): every
    placed worker of the official's county, whatever their state now (admin: all)."""
    from workers.models import Employment

    return _scoped(Employment.objects.all(), user, official="worker__home_county")


def roster_phones_revealable_by(user: User):
    """Return the roster rows whose full phone the user may reveal (with a reason, audited):
    the same rows as the roster, so HR and coordinators can call the people they look after."""
    return roster_employments_visible_to(user)


def poverty_export_counties_for(user: User) -> QuerySet[Region]:
    """Return the counties whose poverty-monitoring export the user may run: an official
    their own county, an admin any county."""
    return _scoped(Region.objects.filter(level=Region.Level.COUNTY), user, official=ITSELF)


def poverty_exports_visible_to(user: User):
    """Return the poverty-monitoring exports the user may see and download: their county's."""
    from placement.export_models import PovertyExport

    return PovertyExport.objects.filter(county__in=poverty_export_counties_for(user))


# --- follow-ups (回访, issue 13) -----------------------------------------------------------
# A follow-up is seen by the worker's county officials, the liaisons of the arrival
# employer's district (of the worker's pairing), the coordinators of the pairing (western
# county and eastern district inside it) and admins; it is recorded by the officials and
# liaisons who see it (any of them, not only its assignee: a colleague may cover) and admins.
# Coordinators set each campaign's schedule. Scoping reads the follow-up's own copies of the
# county and district (followups.models), so a list of 100,000 needs no join.

FOLLOWUP_STAFF = (Role.COUNTY_OFFICIAL, Role.LIAISON, Role.COORDINATOR, Role.ADMIN)
FOLLOWUP_RECORDERS = (Role.COUNTY_OFFICIAL, Role.LIAISON, Role.ADMIN)


def followups_visible_to(user: User):
    """Return the follow-ups the user may see (see the section comment)."""
    from followups.models import FollowUp

    sides = Sides("home_county", "work_district")
    return _scoped(
        FollowUp.objects.all(), user, official="home_county", coordinator=sides, liaison=sides
    )


def followups_recordable_by(user: User):
    """Return the follow-ups the user may record: officials', liaisons' and admins' own scope."""
    return _for_roles(followups_visible_to(user), user, FOLLOWUP_RECORDERS)


def followup_campaigns_managed_by(user: User) -> QuerySet[Campaign]:
    """Return the campaigns whose follow-up schedule the user may set (coordinators, admin)."""
    return campaigns_managed_by(user)


# --- cases: problems that need someone (complaints, returns home) -------------------------
# A case is seen and handled by the worker's county officials, the coordinators of the
# pairing the worker works through (the worker's western county, and the workplace inside the
# pairing's eastern side when it is known), the liaisons of the workplace's districts, and
# admins. Employers' HR never: a complaint is often about their own company.

CASE_STAFF = (Role.COUNTY_OFFICIAL, Role.COORDINATOR, Role.LIAISON, Role.ADMIN)


def may_see_cases(user: User) -> bool:
    """Return whether the user's role works on cases at all (the list page, the menu)."""
    return has_role(user, *CASE_STAFF)


def cases_visible_to(user: User):
    """Return the cases the user may see (see above)."""
    from cases.models import Case

    return _scoped(
        Case.objects.all(),
        user,
        official="worker__home_county",
        # A coordinator also gets the cases whose workplace is not known yet.
        coordinator=Sides("worker__home_county", "workplace", east_may_be_unknown=True),
        liaison=Sides("worker__home_county", "workplace"),
    )


def cases_handled_by(user: User):
    """Return the cases the user may move along (handling, notes, resolve, refer): every
    case they see — the people who see a complaint are the ones who must act on it."""
    return cases_visible_to(user)


def workers_case_openable_by(user: User) -> QuerySet[Worker]:
    """Return the workers on whose behalf the user may open a case: the workers they see
    (a county official's county, a coordinator's pairing, a liaison's placed workers)."""
    if has_role(user, *CASE_STAFF):
        return workers_visible_to(user)
    return Worker.objects.none()


# --- subsidies: the approval chain and payments (issue 14) ----------------------------
# A county official works on their county's applications (verification, county notice,
# approval, payment batches); a township officer on their township's (village lists, the
# first review, the township notice, objections to it); a coordinator reads their pairing's
# western counties; admin all. HR and liaisons have no part in subsidies.

SUBSIDY_READERS = (Role.COUNTY_OFFICIAL, Role.TOWNSHIP_OFFICER, Role.COORDINATOR, Role.ADMIN)
SUBSIDY_CHAIN_STAFF = (Role.COUNTY_OFFICIAL, Role.TOWNSHIP_OFFICER, Role.ADMIN)


def _subsidy_read(rows: QuerySet, user: User) -> QuerySet:
    """Return the subsidy rows (by ``county`` and ``township``) the user reads: an official
    their county's, a township officer their township's, a coordinator their pairing's."""
    return _scoped(
        rows, user, official="county", coordinator=Sides(west="county"), township="township"
    )


def subsidy_applications_visible_to(user: User):
    """Return the subsidy applications the user may read."""
    from subsidies.models import Application

    return _subsidy_read(Application.objects.all(), user)


def subsidy_applications_township_actionable_by(user: User):
    """Return the applications whose township steps (village list, first review, township
    notice, objections to it) the user may take: a township officer's township, admin all."""
    from subsidies.models import Application

    return _scoped(Application.objects.all(), user, township="township")


def subsidy_applications_county_actionable_by(user: User):
    """Return the applications whose county steps (verification, county notice, approval,
    send-back, payment) the user may take: a county official's county, admin all."""
    from subsidies.models import Application

    return _scoped(Application.objects.all(), user, official="county")


def subsidy_notices_visible_to(user: User):
    """Return the notices (公示) the user may open signed in (the public page needs none)."""
    from subsidies.models import Notice

    return _subsidy_read(Notice.objects.all(), user)


def subsidy_payment_batches_visible_to(user: User):
    """Return the payment batches the user may see: a county official's county's, a
    coordinator's pairing's (read), admin all; township officers, HR, liaisons none."""
    from subsidies.models import PaymentBatch

    return _by_west_county(PaymentBatch.objects.all(), user, "county")


def subsidy_payment_batches_managed_by(user: User):
    """Return the payment batches the user may create, export and mark paid."""
    from subsidies.models import PaymentBatch

    return _scoped(PaymentBatch.objects.all(), user, official="county")


def subsidy_intermediaries_visible_to(user: User):
    """Return the intermediaries (输转奖补) the user may see: a county official's county's,
    a coordinator's pairing's western counties', admin all."""
    from subsidies.models import Intermediary

    return _by_west_county(Intermediary.objects.all(), user, "county")


def subsidy_intermediaries_managed_by(user: User):
    """Return the intermediaries whose workers the user may record: a county official's."""
    from subsidies.models import Intermediary

    return _scoped(Intermediary.objects.all(), user, official="county")


def subsidy_counties_for(user: User) -> QuerySet[Region]:
    """Return the counties whose subsidy report the user may read (officials their own,
    coordinators their pairing's western counties, admin all)."""
    return _by_west_county(Region.objects.filter(level=Region.Level.COUNTY), user, ITSELF)


# --- outreach: SMS to workers (issue 15) ----------------------------------------------------
# The workers a user may text, see the texts of and resend to: an official their county's, a
# coordinator their pairing's western workers, admin all. HR, liaisons and township officers
# do not send SMS. A bulk send (SmsCampaign) is seen by the same people as its recipients.


def sms_workers_managed_by(user: User) -> QuerySet[Worker]:
    """Return the workers whose SMS the user may see, resend and bulk-send to."""
    return _by_west_county(Worker.objects.all(), user, "home_county")


def sms_messages_visible_to(user: User):
    """Return the SMS to the workers the user manages."""
    from outreach.models import SmsMessage

    return _by_west_county(SmsMessage.objects.all(), user, "worker__home_county")


def sms_campaigns_visible_to(user: User):
    """Return the bulk sends the user may see: made in their county or pairing (admin: all)."""
    from outreach.models import SmsCampaign

    role = _role(user)
    if role == Role.ADMIN:
        return SmsCampaign.objects.all()
    if role == Role.COUNTY_OFFICIAL:
        return SmsCampaign.objects.filter(county_id=user.county_id)
    if role == Role.COORDINATOR:
        return SmsCampaign.objects.filter(pairing_id=user.pairing_id)
    return SmsCampaign.objects.none()


# --- subsidies: policies, eligibility, applications (issue 14, part 1) --------------------
# Policies are public rules: an official, township officer or coordinator reads those issued
# for their area (issued by their province, city or county, or — for a coordinator — by a
# county of the pairing's western side); a coordinator writes those, admin all. Eligibility
# results are read like applications: a county official their county, a township officer
# their township, a coordinator their pairing's western counties. Applications are created
# (one by one or 免申即享) and their evidence added by the county official or admin.


def _region_ancestors(code: str) -> list[str]:
    """Return the province, city and county codes a county-level ``code`` lies in."""
    return [code[:2] + "0000", code[:4] + "00", code[:6]]


def subsidy_policies_visible_to(user: User):
    """Return the subsidy policies the user may read."""
    from subsidies.models import Policy

    role = _role(user)
    if role == Role.ADMIN:
        return Policy.objects.all()
    if role == Role.COUNTY_OFFICIAL:
        return Policy.objects.filter(issuing_region_id__in=_region_ancestors(user.county_id))
    if role == Role.TOWNSHIP_OFFICER and user.township_id:
        return Policy.objects.filter(issuing_region_id__in=_region_ancestors(user.township_id))
    if role == Role.COORDINATOR:
        return Policy.objects.filter(subsidy_policy_regions_q(user, "issuing_region"))
    return Policy.objects.none()


def subsidy_policy_regions_q(user: User, field: str = "") -> Q:
    """Return the filter on a Region ``field`` (empty: the region itself) for the regions a
    coordinator's policies may be issued by: the province and city above the pairing's
    western region, and it and everything inside it."""
    ids = f"{field}_id__in" if field else "pk__in"
    codes = f"{field}__code__startswith" if field else "code__startswith"
    query = Q(pk__in=[])
    for pairing in pairings_of(user):
        west = pairing.west_region
        query |= Q(**{ids: _region_ancestors(west.code)}) | Q(**{codes: west.prefix})
    return query


def subsidy_policies_editable_by(user: User):
    """Return the policies the user may change: a coordinator those of their area, admin all."""
    from subsidies.models import Policy

    role = _role(user)
    if role == Role.ADMIN:
        return Policy.objects.all()
    if role == Role.COORDINATOR:
        return Policy.objects.filter(subsidy_policy_regions_q(user, "issuing_region"))
    return Policy.objects.none()


def subsidy_policy_regions_for(user: User) -> QuerySet[Region]:
    """Return the regions the user may record a policy as issued by (province to county)."""
    regions = Region.objects.filter(level__in=["province", "city", "county"])
    role = _role(user)
    if role == Role.ADMIN:
        return regions
    if role == Role.COORDINATOR:
        return regions.filter(subsidy_policy_regions_q(user))
    return regions.none()


def subsidy_eligibility_counties_for(user: User) -> QuerySet[Region]:
    """Return the counties whose eligibility lists the user may read (and recompute)."""
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    role = _role(user)
    if role == Role.ADMIN:
        return counties
    if role == Role.COUNTY_OFFICIAL:
        return counties.filter(pk=user.county_id)
    if role == Role.TOWNSHIP_OFFICER and user.township_id:
        return counties.filter(pk=user.township_id[:6])
    if role == Role.COORDINATOR:
        return counties.filter(_prefix_q("code", west_prefixes_of(user)))
    return counties.none()


def subsidy_results_visible_to(user: User):
    """Return the stored eligibility results the user may read."""
    from subsidies.models import EligibilityResult

    return _subsidy_read(EligibilityResult.objects.all(), user)


def subsidy_application_counties_for(user: User) -> QuerySet[Region]:
    """Return the counties where the user may create applications and add their evidence:
    a county official their own, admin all."""
    return _scoped(Region.objects.filter(level=Region.Level.COUNTY), user, official=ITSELF)


def subsidy_applications_editable_by(user: User):
    """Return the applications whose evidence and pledge the user may add: those of the
    counties where they create applications."""
    from subsidies.models import Application

    return _scoped(Application.objects.all(), user, official="county")
