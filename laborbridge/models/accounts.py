"""Users and their roles. What a role may see is decided in ``laborbridge.access`` only."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_OFFICIAL = "county_official", _("县级工作人员")
    EMPLOYER_HR = "employer_hr", _("企业人事")
    COORDINATOR = "coordinator", _("协作专员")
    ADMIN = "admin", _("系统管理员")
    LIAISON = "liaison", _("驻外劳务工作站联络员")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇劳务专干")


class User(AbstractUser):
    """A person who signs in; the role fixes one scope (county, employer or pairing)."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("所属县区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officials",
        limit_choices_to={"level": "county"},
    )
    employer = models.ForeignKey(
        "jobs.Employer",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hr_users",
    )
    pairing = models.ForeignKey(
        "laborbridge.Pairing",
        verbose_name=_("负责的协作结对"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinators",
    )
    # A liaison's workstation covers some districts of the pairing's eastern side; none
    # chosen means the whole eastern side (access.py reads it, the admin form checks it).
    districts = models.ManyToManyField(
        "laborbridge.Region",
        verbose_name=_("负责的东部县区"),
        blank=True,
        related_name="liaisons",
        limit_choices_to={"level": "county"},
        help_text=_("仅对驻外劳务工作站联络员有效；不选表示结对东部地区的全部县区。"),
    )
    # A township labour officer (乡镇劳务专干) works for one township of a western county:
    # the workers whose home is in it, and its step of the subsidy chain (issue 14).
    township = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("所属乡镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="township_officers",
        limit_choices_to={"level": "township"},
    )
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # A scoped role without its scope would silently see nothing (or, worse, a
            # careless query would see everything); the database refuses such a user.
            models.CheckConstraint(
                condition=~models.Q(role="county_official") | models.Q(county__isnull=False),
                name="official_has_county",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="employer_hr") | models.Q(employer__isnull=False),
                name="hr_has_employer",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="coordinator") | models.Q(pairing__isnull=False),
                name="coordinator_has_pairing",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="liaison") | models.Q(pairing__isnull=False),
                name="liaison_has_pairing",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="township_officer") | models.Q(township__isnull=False),
                name="township_officer_has_township",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        required = {
            Role.COUNTY_OFFICIAL: ("county", _("县级工作人员必须指定所属县区。")),
            Role.EMPLOYER_HR: ("employer", _("企业人事必须指定所属企业。")),
            Role.COORDINATOR: ("pairing", _("协作专员必须指定协作结对。")),
            Role.LIAISON: ("pairing", _("工作站联络员必须指定协作结对。")),
            Role.TOWNSHIP_OFFICER: ("township", _("乡镇劳务专干必须指定所属乡镇。")),
        }
        if self.role in required:
            field, message = required[Role(self.role)]
            if getattr(self, f"{field}_id") is None:
                raise ValidationError({field: message})
        if self.county_id and self.county.level != "county":
            raise ValidationError({"county": _("所属县区必须是县级行政区。")})
        if self.township_id and self.township.level != "township":
            raise ValidationError({"township": _("所属乡镇必须是乡级行政区。")})

    @property
    def township_county_id(self) -> str | None:
        """Return the code of the county the township officer's township lies in."""
        return self.township_id[:6] if self.township_id else None

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN
