from django.urls import path

from followups import views

app_name = "followups"

urlpatterns = [
    path("", views.followup_list, name="list"),
    path("<int:pk>/", views.followup_record, name="record"),
    path("placed/", views.placed_list, name="placed"),
    path("schedules/", views.schedule_list, name="schedules"),
    path("schedules/<int:campaign_pk>/", views.schedule_edit, name="schedule_edit"),
]
