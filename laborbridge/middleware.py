"""Request middleware of the shared core."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from laborbridge.models import Role


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Activate the language the user chose with the switch, else Chinese.

    The browser's Accept-Language is deliberately ignored: a county office PC with an
    English operating system must still show the Chinese interface; English is one click
    away in the top bar and then remembered in a cookie.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def second_factor_required(user) -> bool:
    """Return whether ``user`` must confirm sign-in with a TOTP code (when REQUIRE_2FA is on).

    Staff (the Django admin), coordinators and administrators can see every worker of a
    pairing or of the country; a stolen password alone must not open that.
    """
    return bool(
        user.is_authenticated
        and (user.is_staff or user.is_superuser or user.role in {Role.COORDINATOR, Role.ADMIN})
    )


class SecondFactorMiddleware:
    """Hold a password-only session of staff or coordinators at the TOTP step.

    Runs after django-otp's OTPMiddleware (which sets ``user.is_verified()``). Pages
    redirect to the enrolment / verification page; the API answers 403 with the error body.
    Token-authenticated API calls do not pass here as a session: a token for such a user is
    only issued against a TOTP code (``/api/v1/auth/token/``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_2FA
            and user is not None
            and second_factor_required(user)
            and not user.is_verified()
            and not self._exempt(request.path_info)
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "second_factor_required",
                        "message": _("请先完成动态验证码验证（双重验证）后再使用此功能。"),
                        "fields": {},
                    },
                    status=403,
                )
            target = reverse("second_factor")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("second_factor"),
            reverse("logout"),
            reverse("admin:logout"),
            "/i18n/",
            "/" + settings.STATIC_URL.lstrip("/"),
        )
        return path.startswith(exempt)
