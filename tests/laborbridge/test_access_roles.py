"""Role checks in one place: require_role for pages, HasRole and its kin for the API."""

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


def test_the_wrong_role_is_refused_with_403(official_a, hr_x):
    for user in (official_a, hr_x):
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


def test_api_permission_classes_follow_the_role_enum(official_a, hr_x, coordinator, admin_user):
    table = {
        access.IsOfficial: {official_a, admin_user},
        access.IsHR: {hr_x, admin_user},
        access.IsCoordinator: {coordinator, admin_user},
    }
    for permission, allowed in table.items():
        for user in (official_a, hr_x, coordinator, admin_user, AnonymousUser()):
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
