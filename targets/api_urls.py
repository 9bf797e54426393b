from django.urls import path

from targets.api import ReportView

urlpatterns = [
    path("targets/reports/<str:report>/", ReportView.as_view(), name="targets-report"),
]
