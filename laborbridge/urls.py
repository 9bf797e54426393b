from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from laborbridge import auth_views as lb_auth_views
from laborbridge import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", lb_auth_views.second_factor, name="second_factor"),
    path("api/v1/auth/token/", lb_auth_views.ApiTokenView.as_view(), name="api-token"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("workers/", include("workers.urls")),
    path("jobs/", include("jobs.urls")),
    path("matching/", include("matching.urls")),
    path("transport/", include("transport.urls")),
    path("placement/", include("placement.urls")),
    path("cases/", include("cases.urls")),
    path("selfservice/", include("selfservice.urls")),
    path("followups/", include("followups.urls")),
    path("targets/", include("targets.urls")),
    path("outreach/", include("outreach.urls")),
    path("subsidies/chain/", include("subsidies.chain_urls")),
    path("subsidies/", include("subsidies.urls")),
    path("notifications/", include("laborbridge.notifications.urls")),
    # Public campaign pages reached from a QR code: the job board and the self-signup form.
    path("c/", include("jobs.public_urls")),
    path("c/", include("workers.public_urls")),
    # The worker's own page, reached by their personal link (no login).
    path("me/", include("selfservice.public_urls")),
    # A subsidy list's public notice (公示), reached by its unguessable link (no login).
    path("notice/", include("subsidies.public_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("laborbridge.api_urls")),
    path("api/v1/", include("workers.api_urls")),
    path("api/v1/", include("jobs.api_urls")),
    path("api/v1/", include("matching.api_urls")),
    path("api/v1/", include("transport.api_urls")),
    path("api/v1/", include("placement.api_urls")),
    path("api/v1/", include("followups.api_urls")),
    path("api/v1/", include("targets.api_urls")),
    path("api/v1/", include("cases.api_urls")),
    path("api/v1/", include("subsidies.chain_api_urls")),
    path("api/v1/", include("subsidies.api_urls")),
    # Sign-in required in production (API_DOCS_PUBLIC). The split Swagger view serves its
    # script as a file, so the docs work under the Content-Security-Policy.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[lb_auth_views.ApiDocsAccess]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", permission_classes=[lb_auth_views.ApiDocsAccess]
        ),
        name="api-docs",
    ),
]

# Unrouted URLs (404) and refused requests (400, e.g. too many fields) under /api/ answer with
# the API's error body, others with the HTML page.
handler404 = "laborbridge.api_errors.api_not_found"
handler400 = "laborbridge.api_errors.api_bad_request"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
