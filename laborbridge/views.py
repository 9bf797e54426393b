"""Pages of the shared core: the role home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from laborbridge.models import Role
from laborbridge.selectors import dashboard_for

_TEMPLATES = {
    Role.COUNTY_OFFICIAL: "home/county_official.html",
    Role.EMPLOYER_HR: "home/employer_hr.html",
    Role.COORDINATOR: "home/coordinator.html",
    Role.ADMIN: "home/admin.html",
    Role.LIAISON: "home/liaison.html",
}


@login_required
def home(request):
    """Render the home page of the signed-in user's role."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    template = _TEMPLATES.get(role, "home/no_role.html")
    return render(request, template, {"dashboard": dashboard_for(user), "role": role})
