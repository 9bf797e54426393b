from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("workers/<int:pk>/", views.worker_messages, name="worker_messages"),
    path("messages/<int:pk>/resend/", views.resend, name="resend"),
    path("bulk/", views.bulk, name="bulk"),
    # The provider's callbacks: signed with the shared secret, no session, no CSRF token.
    path("callbacks/receipts/", views.receipts, name="receipts"),
    path("callbacks/replies/", views.replies, name="replies"),
]
