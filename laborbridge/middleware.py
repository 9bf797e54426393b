"""Request middleware of the shared core."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
