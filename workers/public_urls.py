"""Public pages a worker reaches by scanning a campaign QR code (no login)."""

from django.urls import path

from workers import signup_views

app_name = "workers_public"

urlpatterns = [
    path("<slug:code>/signup/", signup_views.signup, name="signup"),
    path("<slug:code>/signup/done/", signup_views.signup_done, name="signup_done"),
    path("<slug:code>/signup/townships/", signup_views.signup_townships, name="signup_townships"),
    path("<slug:code>/poster.svg", signup_views.poster_svg, name="poster"),
    path("<slug:code>/qr.png", signup_views.qr_png, name="qr"),
]
