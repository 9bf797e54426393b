"""The public campaign job board (no login)."""

app_name = "jobs_public"

urlpatterns: list = []
