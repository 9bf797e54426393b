"""The project's URLs with a stand-in self-signup page (or none), to test the board's link."""

from django.http import HttpResponse
from django.urls import include, path

from laborbridge.urls import urlpatterns as project_urlpatterns

_others = [p for p in project_urlpatterns if getattr(p, "namespace", None) != "workers_public"]

signup_patterns = (
    [path("<slug:code>/signup/", lambda request, code: HttpResponse(), name="signup")],
    "workers_public",
)

urlpatterns = [path("c/", include(signup_patterns, namespace="workers_public")), *_others]
without_signup = _others
