from django.urls import path

from selfservice import views

app_name = "selfservice"

urlpatterns = [
    path("workers/<int:pk>/notice/", views.notice, name="notice"),
    path("workers/<int:pk>/link/revoke/", views.link_revoke, name="link_revoke"),
    path("trips/<int:pk>/notices/", views.trip_notices, name="trip_notices"),
]
