from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/step/", views.case_step, name="step"),
    path("<int:pk>/return-home/", views.case_return_home, name="return_home"),
    path("open/<int:worker_pk>/", views.case_open, name="open"),
]
