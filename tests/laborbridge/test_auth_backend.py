"""laborbridge.auth_backend: ModelBackend with the signed-in user read by a query compiled
once — the same user as the ORM reads, seen afresh every request (a deactivated user is
signed out at once), and sessions that name Django's ModelBackend stay valid."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse

from laborbridge.auth_backend import UserBackend
from laborbridge.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
BACKEND = "laborbridge.auth_backend.UserBackend"


def _fields(user) -> dict:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_the_same_user_as_the_orm(official_a):
    loaded = UserBackend().get_user(str(official_a.pk))
    assert type(loaded) is User and not loaded._state.adding
    assert _fields(loaded) == _fields(User.objects.get(pk=official_a.pk))
    assert loaded.county.pk == official_a.county_id


def test_no_user_for_unknown_malformed_or_inactive_ids(official_a):
    assert UserBackend().get_user(str(official_a.pk + 1000)) is None
    assert UserBackend().get_user("x") is None
    official_a.is_active = False
    official_a.save(update_fields=["is_active"])
    assert UserBackend().get_user(official_a.pk) is None


def test_a_sign_in_names_this_backend_and_a_deactivation_signs_out(client, official_a):
    response = client.post(
        reverse("login"), {"username": official_a.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    assert client.get(reverse("workers:list")).status_code == 200
    User.objects.filter(pk=official_a.pk).update(is_active=False)
    assert client.get(reverse("workers:list")).status_code == 302


def test_sessions_naming_model_backend_stay_valid(client, official_a):
    client.force_login(official_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("workers:list")).status_code == 200
    assert isinstance(ModelBackend().get_user(official_a.pk), User)
