"""Sign-in hardening: lockout, client address, tokens, second factor, CSP, redirects, logs."""

import logging

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from laborbridge.models import AuditEvent
from laborbridge.security import client_address, id_numbers_mask
from matching.models import Match, MatchStatus
from tests.factories import ANDING, PASSWORD, VacancyFactory, WorkerFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
LIMIT = 10  # settings.AXES_FAILURE_LIMIT


def _login(client, username, password, **meta):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


# --- lockout ------------------------------------------------------------------------------


def test_twenty_wrong_passwords_lock_the_account_even_for_the_right_one(client, official_a):
    for _ in range(20):
        response = _login(client, "official_a", "wrong-password")
    assert response.status_code == 429
    response = _login(client, "official_a", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂停" in page and "30 分钟后再试" in page
    assert response["Retry-After"] == "1800"
    assert "_auth_user_id" not in client.session


def test_below_the_limit_the_right_password_still_works(client, official_a):
    for _ in range(LIMIT - 1):
        assert _login(client, "official_a", "wrong-password").status_code == 200
    assert _login(client, "official_a", PASSWORD).status_code == 302


def test_lockout_is_per_username_from_any_address(client, official_a):
    for number in range(LIMIT):
        _login(client, "official_a", "wrong", REMOTE_ADDR=f"203.0.113.{number + 1}")
    assert _login(client, "official_a", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429


def test_lockout_is_per_address_for_any_username(client, official_a, official_b):
    for number in range(LIMIT):
        _login(client, f"guess{number}", "wrong", REMOTE_ADDR="203.0.113.9")
    assert _login(client, "official_b", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert _login(client, "official_a", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_admin_unlocks_by_deleting_the_attempt(client, official_a, admin_user):
    for _ in range(LIMIT):
        _login(client, "official_a", "wrong", REMOTE_ADDR="203.0.113.9")
    client.force_login(admin_user)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "official_a" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="official_a")
    response = client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=False
    )
    assert response.status_code == 302
    client.logout()
    assert _login(client, "official_a", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_unlock_by_command(client, official_a):
    for _ in range(LIMIT):
        _login(client, "official_a", "wrong")
    call_command("axes_reset_username", "official_a")
    assert _login(client, "official_a", PASSWORD).status_code == 302


@pytest.mark.parametrize("user", ["coordinator", "official_a", "hr_x"])
def test_only_administrators_see_the_attempts(client, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get("/admin/axes/accessattempt/").status_code in {302, 403}


# --- client address behind the reverse proxy ----------------------------------------------


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_socket_address_is_the_client():
    assert client_address(_request("10.0.0.1", "1.2.3.4")) == "10.0.0.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
@pytest.mark.parametrize(
    "remote,forwarded,client",
    [
        ("10.0.0.1", "36.112.5.9", "36.112.5.9"),
        # The client may prepend anything: only what our proxies appended is believed.
        ("10.0.0.1", "1.1.1.1, 36.112.5.9", "36.112.5.9"),
        ("10.0.0.2", "36.112.5.9, 10.0.0.1", "36.112.5.9"),
        ("10.0.0.1", "36.112.5.9, not-an-address", "10.0.0.1"),
        ("10.0.0.1", "", "10.0.0.1"),
        # A direct connection (not through the proxy) cannot pick its address.
        ("36.112.5.9", "1.1.1.1", "36.112.5.9"),
    ],
)
def test_trusted_proxy_forwarded_address(remote, forwarded, client):
    assert client_address(_request(remote, forwarded)) == client


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_clients_behind_the_proxy_have_their_own_lockout_budget(client, official_a):
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for number in range(LIMIT):
        _login(client, f"guess{number}", "wrong", HTTP_X_FORWARDED_FOR="36.112.5.9", **proxy)
    blocked = _login(client, "official_a", PASSWORD, HTTP_X_FORWARDED_FOR="36.112.5.9", **proxy)
    assert blocked.status_code == 429
    other = _login(client, "official_a", PASSWORD, HTTP_X_FORWARDED_FOR="36.112.5.10", **proxy)
    assert other.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="36.112.5.9").exists()


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_signup_limit_keys_on_the_real_client():
    from workers.signup_views import _client_key

    first = _client_key(_request("10.0.0.1", "36.112.5.9"))
    assert first == _client_key(_request("10.0.0.1", "8.8.8.8, 36.112.5.9"))
    assert first != _client_key(_request("10.0.0.1", "36.112.5.10"))


# --- API: tokens, no Basic auth, throttles --------------------------------------------------


def test_token_is_issued_for_the_right_password_and_works(client, official_a):
    response = client.post(TOKEN, {"username": "official_a", "password": PASSWORD})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=official_a).key == key
    assert AuditEvent.objects.filter(action="api_token_issue", target_id=str(official_a.pk))
    api = client.get("/api/v1/occupations/", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 200
    assert client.get("/api/v1/occupations/").status_code in {401, 403}


def test_token_wrong_password_is_refused_and_counts_towards_lockout(client, official_a):
    response = client.post(TOKEN, {"username": "official_a", "password": "wrong"})
    assert response.status_code == 400
    assert response.json()["fields"]["password"] == ["用户名或密码不正确。"]
    for number in range(LIMIT - 1):
        client.post(
            TOKEN, {"username": "official_a", "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{number}"
        )
    locked = client.post(
        TOKEN, {"username": "official_a", "password": PASSWORD}, REMOTE_ADDR="192.0.2.200"
    )
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert "锁定" in locked.json()["message"]
    assert not Token.objects.filter(user=official_a).exists()


def test_token_endpoint_is_throttled_per_client_address(client, official_a):
    for _ in range(10):
        ok = client.post(TOKEN, {"username": "official_a", "password": PASSWORD})
        assert ok.status_code == 200
    throttled = client.post(TOKEN, {"username": "official_a", "password": PASSWORD})
    assert throttled.status_code == 429
    assert "Retry-After" in throttled
    other = client.post(
        TOKEN, {"username": "official_a", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 200


def test_basic_auth_is_not_accepted(client, official_a):
    import base64

    credentials = base64.b64encode(f"official_a:{PASSWORD}".encode()).decode()
    response = client.get("/api/v1/occupations/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code in {401, 403}


def test_anonymous_api_is_throttled_per_client_address(client):
    from laborbridge.throttling import AnonymousClientThrottle

    throttle = AnonymousClientThrottle()
    assert throttle.rate == "300/minute"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert throttle.get_ident(request) == "10.0.0.1"


# --- second factor -------------------------------------------------------------------------


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_second_factor_is_off_by_default_in_development(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/").status_code == 200


@override_settings(REQUIRE_2FA=True)
def test_coordinator_enrols_then_reaches_the_page(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/matching/rounds/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/?next=%2Fmatching%2Frounds%2F"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "绑定验证器" in html
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    wrong = client.post("/accounts/2fa/", {"otp_token": "000000", "next": "/matching/rounds/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post("/accounts/2fa/", {"otp_token": _code(device), "next": "/matching/rounds/"})
    assert done.status_code == 302 and done["Location"] == "/matching/rounds/"
    assert client.get("/matching/rounds/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="second_factor_enrol", actor=coordinator).exists()


@override_settings(REQUIRE_2FA=True)
def test_second_factor_refuses_a_foreign_next(client, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="x", confirmed=True)
    client.force_login(coordinator)
    response = client.post(
        "/accounts/2fa/", {"otp_token": _code(device), "next": "//evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


@override_settings(REQUIRE_2FA=True)
def test_session_api_of_an_unverified_coordinator_is_refused(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/api/v1/occupations/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


@override_settings(REQUIRE_2FA=True)
@pytest.mark.parametrize("user", ["official_a", "hr_x"])
def test_officials_and_hr_need_no_second_factor(client, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get("/").status_code == 200


@override_settings(REQUIRE_2FA=True)
def test_token_for_a_coordinator_needs_the_code(client, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="x", confirmed=True)
    without = client.post(TOKEN, {"username": "coordinator", "password": PASSWORD})
    assert without.status_code == 400 and "otp_token" in without.json()["fields"]
    wrong = client.post(
        TOKEN, {"username": "coordinator", "password": PASSWORD, "otp_token": "000000"}
    )
    assert wrong.status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    right = client.post(
        TOKEN, {"username": "coordinator", "password": PASSWORD, "otp_token": _code(device)}
    )
    assert right.status_code == 200 and right.json()["token"]


def test_second_factor_page_needs_sign_in(client):
    response = client.get("/accounts/2fa/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- headers, docs, redirects ---------------------------------------------------------------


def test_pages_carry_a_csp_without_inline_script(client, official_a):
    client.force_login(official_a)
    for url in [LOGIN, "/", "/workers/"]:
        header = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in header and "style-src 'self'" in header
        assert "unsafe-inline" not in header and "unsafe-eval" not in header
        assert "frame-ancestors 'none'" in header


@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_api_docs_need_sign_in_when_not_public(client, official_a, url):
    assert client.get(url).status_code in {401, 403}
    client.force_login(official_a)
    assert client.get(url).status_code == 200


def test_api_docs_page_loads_its_script_from_a_file(client):
    html = client.get("/api/docs/").content.decode()
    assert "<script src=" in html
    assert "<script>" not in html


@pytest.fixture
def offered_match(official_a, employer_x):
    vacancy = VacancyFactory(employer=employer_x, headcount=2)
    worker = WorkerFactory(home_county_id=ANDING)
    return Match.objects.create(worker=worker, vacancy=vacancy, status=MatchStatus.OFFERED)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_answer_does_not_redirect_off_site(client, official_a, offered_match, target):
    client.force_login(official_a)
    response = client.post(
        f"/matching/matches/{offered_match.pk}/answer/", {"answer": "accept", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/matching/my-county/"


def test_answer_keeps_a_local_next(client, official_a, offered_match):
    client.force_login(official_a)
    response = client.post(
        f"/matching/matches/{offered_match.pk}/answer/",
        {"answer": "accept", "next": "/matching/my-county/?page=2"},
    )
    assert response["Location"] == "/matching/my-county/?page=2"


@pytest.mark.parametrize("data", [{}, {"answer": "maybe"}])
def test_missing_or_unknown_answer_is_not_a_decline(client, official_a, offered_match, data):
    client.force_login(official_a)
    client.post(f"/matching/matches/{offered_match.pk}/answer/", data)
    offered_match.refresh_from_db()
    assert offered_match.status == MatchStatus.OFFERED


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/"])
def test_workers_bulk_does_not_redirect_off_site(client, official_a, target):
    client.force_login(official_a)
    response = client.post("/workers/bulk/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/workers/"


# --- ID numbers out of the access logs ------------------------------------------------------


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.mark.parametrize("logger_name", ["django.server", "gunicorn.access"])
def test_access_logs_mask_id_numbers(logger_name):
    logger = logging.getLogger(logger_name)
    capture = _Capture()
    logger.addHandler(capture)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        if logger_name == "django.server":  # runserver: '"%s" %s %s' % (request line, …)
            logger.info('"%s" %s %s', "GET /workers/?q=62110219900307123X HTTP/1.1", "302", "0")
        else:  # gunicorn: access_log_format % atoms
            logger.info(
                '%(h)s "%(r)s" %(s)s',
                {"h": "10.0.0.1", "r": "GET /x?id=621102199003071234 HTTP/1.1", "s": "200"},
            )
    finally:
        logger.removeHandler(capture)
        logger.setLevel(old_level)
    (line,) = capture.lines
    assert "19900307" not in line
    assert "621102********" in line


def test_mask_leaves_other_numbers_alone():
    assert id_numbers_mask("page=2&phone=13800001234") == "page=2&phone=13800001234"
    assert id_numbers_mask("id=6211021990030712345") == "id=6211021990030712345"
    assert id_numbers_mask("q=62110219900307123x") == "q=621102********123x"


def test_worker_search_keeps_the_id_number_out_of_the_url(client, official_a):
    client.force_login(official_a)
    response = client.post("/workers/", {"q": "62110219900307123X"})
    assert response.status_code == 302
    assert "62110219900307123X" not in response["Location"]
    assert "19900307" not in response["Location"]
