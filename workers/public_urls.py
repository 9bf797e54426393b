"""Public pages a worker reaches by scanning a campaign QR code (no login)."""

app_name = "workers_public"

urlpatterns: list = []
