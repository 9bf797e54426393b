from django.urls import path

from placement import views

app_name = "placement"

urlpatterns = [
    path("employments/<int:pk>/record/", views.event_record, name="event_record"),
]
