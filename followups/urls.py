from django.urls import path

from followups import views

app_name = "followups"

urlpatterns = [
    path("placed/", views.placed_list, name="placed"),
]
