"""API for employers and vacancies, scoped to the user."""

from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from laborbridge import access


class EmployerViewSet(viewsets.ReadOnlyModelViewSet):
    class EmployerOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        credit_code = serializers.CharField()
        city = serializers.CharField(source="city_id")
        district = serializers.CharField(source="district_id")
        industry = serializers.CharField()
        verification_status = serializers.CharField()

    serializer_class = EmployerOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["verification_status", "district", "industry"]

    def get_queryset(self):
        return access.employers_visible_to(self.request.user)


class VacancyViewSet(viewsets.ReadOnlyModelViewSet):
    class VacancyOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        employer = serializers.IntegerField(source="employer_id")
        employer_name = serializers.CharField(source="employer.name")
        occupation = serializers.CharField(source="occupation.code")
        title = serializers.CharField()
        headcount = serializers.IntegerField()
        wage_min = serializers.IntegerField()
        wage_max = serializers.IntegerField()
        district = serializers.CharField(source="district_id")
        start_date = serializers.DateField()
        status = serializers.CharField()

    serializer_class = VacancyOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "district", "campaign"]

    def get_queryset(self):
        return access.vacancies_visible_to(self.request.user).select_related(
            "employer", "occupation"
        )
