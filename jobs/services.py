"""Writes for employers and vacancies."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jobs.models import Employer, Vacancy, VacancyStatus, VerificationStatus
from laborbridge import access
from laborbridge.identifiers import validate_credit_code
from laborbridge.models import User
from laborbridge.services import audit_record

# The vacancy lifecycle: which status may follow which.
VACANCY_TRANSITIONS: dict[str, set[str]] = {
    VacancyStatus.DRAFT: {VacancyStatus.OPEN, VacancyStatus.CLOSED},
    VacancyStatus.OPEN: {VacancyStatus.PAUSED, VacancyStatus.CLOSED, VacancyStatus.FILLED},
    VacancyStatus.PAUSED: {VacancyStatus.OPEN, VacancyStatus.CLOSED},
    VacancyStatus.FILLED: {VacancyStatus.OPEN, VacancyStatus.CLOSED},
    VacancyStatus.CLOSED: set(),
}


@transaction.atomic
def employer_verify(
    *, actor: User, employer: Employer, approve: bool, reason: str = ""
) -> Employer:
    """Record a coordinator's decision on a new employer."""
    if not access.employers_verifiable_by(actor).filter(pk=employer.pk).exists():
        raise PermissionDenied(_("您无权审核该企业。"))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("驳回时请填写原因。")})
    old = employer.verification_status
    employer.verification_status = (
        VerificationStatus.VERIFIED if approve else VerificationStatus.REJECTED
    )
    employer.rejection_reason = "" if approve else reason.strip()
    employer.save(update_fields=["verification_status", "rejection_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="employer.verify",
        target=employer,
        changes={"verification_status": [old, employer.verification_status]},
        reason=reason,
    )
    return employer


def employer_check_credit_code(*, credit_code: str, exclude_pk: int | None = None) -> str:
    code = validate_credit_code(credit_code)
    clash = Employer.objects.filter(credit_code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise ValidationError(
            {"credit_code": _("该统一社会信用代码已被“%(name)s”使用。") % {"name": clash.name}}
        )
    return code


@transaction.atomic
def vacancy_set_status(*, actor: User, vacancy: Vacancy, status: str) -> Vacancy:
    """Move a vacancy along its lifecycle; refuse illegal moves with a clear message."""
    vacancy = access.vacancies_editable_by(actor).select_for_update().filter(pk=vacancy.pk).first()
    if vacancy is None:
        raise PermissionDenied(_("您无权修改该岗位。"))
    if status not in VACANCY_TRANSITIONS[vacancy.status]:
        raise ValidationError(
            _("岗位状态不能从“%(old)s”变为“%(new)s”。")
            % {"old": VacancyStatus(vacancy.status).label, "new": VacancyStatus(status).label}
        )
    old = vacancy.status
    vacancy.status = status
    vacancy.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="vacancy.status", target=vacancy, changes={"status": [old, status]}
    )
    return vacancy
