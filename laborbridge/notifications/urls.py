from django.urls import path

from laborbridge.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:pk>/read/", views.message_mark, name="mark"),
    path("read-all/", views.messages_mark_all, name="mark_all"),
]
