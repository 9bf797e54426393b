"""A query string or form body of too many fields is a 400 in the one API error body.

Django refuses to parse more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields with
``TooManyFieldsSent``; under ``/api/v1/`` that must not escape as a 500 (found by schemathesis
on ``POST /api/v1/subsidy-applications/chain/``, issue 14).
"""

import json

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _many_fields() -> str:
    return "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5))


def _assert_clean_400(response) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid"
    assert str(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) in body["message"]


def test_chain_post_with_a_query_string_of_too_many_fields(township_officer):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(township_officer)
    response = api.post(
        f"/api/v1/subsidy-applications/chain/?{_many_fields()}",
        {"action": "review", "ids": [1]},
        format="json",
    )
    _assert_clean_400(response)


def test_chain_post_with_a_form_body_of_too_many_fields(township_officer):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(township_officer)
    response = api.generic(
        "POST",
        "/api/v1/subsidy-applications/chain/",
        _many_fields(),
        content_type="application/x-www-form-urlencoded",
    )
    _assert_clean_400(response)


def test_list_get_with_a_query_string_of_too_many_fields(official_a):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(official_a)
    _assert_clean_400(api.get(f"/api/v1/subsidy-payment-batches/?{_many_fields()}"))


def test_a_request_refused_before_a_drf_view_is_the_api_body_under_api_only(rf):
    from django.core.exceptions import TooManyFieldsSent

    from laborbridge.api_errors import api_bad_request

    response = api_bad_request(rf.get("/api/v1/anything/"), TooManyFieldsSent("too many"))
    _assert_clean_400(response)
    page = api_bad_request(rf.get("/workers/"), TooManyFieldsSent("too many"))
    assert page.status_code == 400
    assert not page["Content-Type"].startswith("application/json")


def test_the_limit_message_in_english(township_officer):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(township_officer)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        response = api.get(f"/api/v1/subsidy-applications/?{_many_fields()}")
        _assert_clean_400(response)
        assert "fields" in json.loads(response.content)["message"]
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left English active
