"""Role checks in one place: require_role for pages, HasRole and its kin for the API."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View
from rest_framework.test import APIRequestFactory

from laborbridge import access
from laborbridge.models import Role

pytestmark = pytest.mark.django_db


@access.require_role(*access.COORDINATORS)
def _coordinator_page(request):
    return HttpResponse("ok")


class _OfficialPage(access.RoleRequiredMixin, View):
    required_roles = access.OFFICIALS

    def get(self, request):
        return HttpResponse("ok")


def _get(user, path="/page/?x=1"):
    request = RequestFactory().get(path)
    request.user = user
    return request


@pytest.mark.parametrize("page", [_coordinator_page, _OfficialPage.as_view()])
def test_anonymous_is_sent_to_sign_in_with_the_page_to_come_back_to(page):
    response = page(_get(AnonymousUser()))

    assert response.status_code == 302
    assert "next=/page/%3Fx%3D1" in response["Location"]


def test_the_wrong_role_is_refused_with_403(official_a, hr_x, liaison):
    for user in (official_a, hr_x, liaison):
        with pytest.raises(PermissionDenied):
            _coordinator_page(_get(user))
    with pytest.raises(PermissionDenied):
        _OfficialPage.as_view()(_get(hr_x))


def test_the_right_role_and_admin_get_in(coordinator, official_a, admin_user):
    assert _coordinator_page(_get(coordinator)).status_code == 200
    assert _coordinator_page(_get(admin_user)).status_code == 200
    assert _OfficialPage.as_view()(_get(official_a)).status_code == 200


def test_an_inactive_user_has_no_role(official_a):
    official_a.is_active = False

    assert not access.is_official(official_a)


def _allowed(permission, user, method="get"):
    request = getattr(APIRequestFactory(), method)("/api/v1/x/")
    request.user = user
    return permission().has_permission(request, view=None)


def test_api_permission_classes_follow_the_role_enum(
    official_a, hr_x, coordinator, liaison, admin_user
):
    table = {
        access.IsOfficial: {official_a, admin_user},
        access.IsHR: {hr_x, admin_user},
        access.IsCoordinator: {coordinator, admin_user},
        access.IsLiaison: {liaison, admin_user},
        access.IsRegistryReader: {official_a, coordinator, admin_user},
    }
    for permission, allowed in table.items():
        for user in (official_a, hr_x, coordinator, liaison, admin_user, AnonymousUser()):
            assert _allowed(permission, user) == (user in allowed), (permission, user)


def test_read_roles_widen_only_safe_methods(official_a, coordinator):
    assert _allowed(access.IsRegistryReader, coordinator, "get")
    assert not _allowed(access.IsRegistryReader, coordinator, "post")
    assert _allowed(access.IsRegistryReader, official_a, "post")


def test_has_role_of_builds_a_class_with_its_own_roles_and_message(hr_x, official_a):
    only_hr = access.HasRole.of(Role.EMPLOYER_HR, message="HR only")

    assert _allowed(only_hr, hr_x)
    assert not _allowed(only_hr, official_a)
    assert only_hr.message == "HR only"
    assert access.HasRole.roles == ()


# --- No role strings outside laborbridge -------------------------------------------------
# A role compared by its string ("coordinator") escapes a rename of the Role enum and
# scatters the question "who may" over the apps; they ask laborbridge.access instead.

ROOT = Path(__file__).resolve().parents[2]
APPS = ["workers", "jobs", "matching", "transport", "bench", "scripts"]
ROLE_STRINGS = set(Role.values)
ROLE_CALLS = {"has_role", "require_role", "of"}


def _role_literals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            values = list(node.args)
            values += [kw.value for kw in node.keywords if kw.arg and kw.arg.startswith("role")]
            if name not in ROLE_CALLS:
                values = values[len(node.args) :]
            for value in values:
                if isinstance(value, ast.Constant) and value.value in ROLE_STRINGS:
                    found.append((node.lineno, f"{name}({value.value!r})"))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for side in sides:
                elements = side.elts if isinstance(side, ast.Tuple | ast.List | ast.Set) else [side]
                if any(isinstance(e, ast.Constant) and e.value in ROLE_STRINGS for e in elements):
                    found.append((node.lineno, "compares a role string"))
                if isinstance(side, ast.Attribute) and side.attr == "role":
                    found.append((node.lineno, "compares .role (use access.has_role)"))
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
            node.value, ast.Tuple | ast.List | ast.Set
        ):
            strings = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
            if strings and set(strings) <= ROLE_STRINGS:
                found.append((node.lineno, f"a tuple of role strings {strings}"))
    return found


def test_no_module_outside_laborbridge_checks_a_role_by_string():
    offences = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offences += [
                f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in _role_literals(tree)
            ]
    assert not offences, "use laborbridge.access (require_role, HasRole, is_*):\n" + "\n".join(
        offences
    )


def test_the_role_literal_check_catches_what_it_should():
    code = """
access.has_role(user, "coordinator", "admin")
if user.role == Role.ADMIN: pass
if "employer_hr" in roles: pass
ALLOWED = ("county_official", "admin")
User.objects.filter(role="coordinator")
User.objects.get(username="admin")
"""
    lines = [line for line, _what in _role_literals(ast.parse(code))]

    assert sorted(set(lines)) == [2, 3, 4, 5, 6]
