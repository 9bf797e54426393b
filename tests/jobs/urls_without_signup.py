"""The project's URLs without the self-signup page (as before the workers app adds it)."""

from tests.jobs.urls_with_signup import without_signup as urlpatterns

__all__ = ["urlpatterns"]
