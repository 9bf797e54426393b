"""Matching rounds and the matches they propose, with their lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.background import BackgroundRun


class RoundMode(models.TextChoices):
    STABLE = "stable", _("稳定匹配（求职者优先）")
    OPTIMAL = "optimal", _("总体最优")


class RoundStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class MatchRound(BackgroundRun):
    """One run of the engine over a campaign's free workers and free headcount.

    Its run fields (task, attempt, progress, heartbeat, who and when) come from
    :class:`~laborbridge.background.BackgroundRun`.

    Reproducible: ``input_snapshot`` identifies the inputs, and with ``parameters``, ``seed``
    and ``engine_version`` the same inputs give the same matches.
    """

    campaign = models.ForeignKey(
        "laborbridge.Campaign",
        verbose_name=_("招聘行动"),
        on_delete=models.PROTECT,
        related_name="match_rounds",
    )
    mode = models.CharField(
        _("匹配方式"), max_length=10, choices=RoundMode.choices, default=RoundMode.STABLE
    )
    seed = models.PositiveIntegerField(_("随机种子"), default=0)
    parameters = models.JSONField(_("参数"), default=dict, blank=True)
    engine_version = models.CharField(_("引擎版本"), max_length=40, blank=True)
    input_snapshot = models.JSONField(_("输入快照"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.QUEUED
    )
    statistics = models.JSONField(_("统计"), default=dict, blank=True)
    timings = models.JSONField(_("耗时"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("匹配轮次")
        verbose_name_plural = _("匹配轮次")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="round_progress_percent"
            ),
            # Two coordinators pressing "run" at once get one round and one 409.
            models.UniqueConstraint(
                fields=["campaign"],
                condition=models.Q(status__in=["queued", "running"]),
                name="round_one_live_per_campaign",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.campaign} · {self.get_mode_display()}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("审核未通过")
    OFFERED = "offered", _("已推荐")
    ACCEPTED = "accepted", _("求职者已接受")
    CONFIRMED = "confirmed", _("双方确认")
    HIRED = "hired", _("已到岗")
    DECLINED = "declined", _("已谢绝")
    CANCELLED = "cancelled", _("已取消")


# A worker holds at most one match in these states (a partial unique index says so).
ACTIVE_STATUSES = (
    MatchStatus.PROPOSED,
    MatchStatus.APPROVED,
    MatchStatus.OFFERED,
    MatchStatus.ACCEPTED,
    MatchStatus.CONFIRMED,
    MatchStatus.HIRED,
)
# These states take one place of the vacancy's headcount (Vacancy.filled_count).
HOLDING_STATUSES = (MatchStatus.ACCEPTED, MatchStatus.CONFIRMED, MatchStatus.HIRED)


class Decision(models.TextChoices):
    PENDING = "pending", _("未答复")
    YES = "yes", _("同意")
    NO = "no", _("谢绝")


class WrittenJSONField(models.JSONField):
    """JSON stored as written: PostgreSQL's ``json`` type rather than ``jsonb``.

    A match's reasons are written once per match (a million-worker round COPYs ~600,000 of
    them) and read back whole, never searched inside: ``jsonb`` parsed and rebuilt every
    document on the way in — 21 s against 10 s to COPY a round's 615,311 matches, and a
    quarter more bytes on disk (bench/RESULTS.md, issue 17). ``json`` still refuses text that
    is not JSON. (It has no equality operator: no DISTINCT or GROUP BY over this column.)
    """

    def db_type(self, connection) -> str | None:
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, str | bytes | bytearray):
            return super().from_db_value(value, expression, connection)
        return value  # psycopg2 decodes `json` itself (Django turns that off only for jsonb)


class Match(models.Model):
    """A proposed pairing of one worker with one vacancy, and where it has got to."""

    # The round's and the vacancy's own indexes would repeat the leading column of the
    # `(round, status)` and `(vacancy, status)` indexes below: every index is one more write
    # for each of a round's up to a million COPYed matches (bench/RESULTS.md, issue 17).
    round = models.ForeignKey(
        MatchRound,
        verbose_name=_("匹配轮次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matches",
        db_index=False,
    )
    worker = models.ForeignKey(
        "workers.Worker", verbose_name=_("劳动力"), on_delete=models.PROTECT, related_name="matches"
    )
    vacancy = models.ForeignKey(
        "jobs.Vacancy",
        verbose_name=_("岗位"),
        on_delete=models.PROTECT,
        related_name="matches",
        db_index=False,
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    score = models.FloatField(_("匹配得分"), default=0)
    worker_score = models.FloatField(_("求职者偏好分"), default=0)
    vacancy_score = models.FloatField(_("岗位优先分"), default=0)
    worker_rank = models.PositiveIntegerField(_("在求职者意向中的排名"), null=True, blank=True)
    # Structured reasons from the engine: [{"side": "worker"|"vacancy", "code": …, "points": …, …}]
    reasons = WrittenJSONField(_("匹配理由"), default=list, blank=True)
    worker_decision = models.CharField(
        _("求职者答复"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    employer_decision = models.CharField(
        _("企业答复"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    decline_reason = models.TextField(_("谢绝/驳回原因"), blank=True)
    # Set when a rolling update of the round (not the round itself) proposed it.
    rolling_update = models.ForeignKey(
        "MatchRollingUpdate",
        verbose_name=_("滚动匹配更新"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matches",
        db_index=False,  # indexed only where set (Meta): a round's matches leave it empty
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("匹配")
        verbose_name_plural = _("匹配")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_match_per_worker",
            ),
        ]
        indexes = [
            models.Index(fields=["vacancy", "status"]),
            models.Index(fields=["round", "status"]),
            models.Index(
                fields=["rolling_update"],
                condition=models.Q(rolling_update__isnull=False),
                name="match_rolling_update_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} → {self.vacancy}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class RollingKind(models.TextChoices):
    EXTEND = "extend", _("续接（新求职者加入）")
    RESOLVE = "resolve", _("重算空余市场")
    SKIPPED = "skipped", _("无需更新")


class MatchRollingUpdate(BackgroundRun):
    """A rolling update of a finished round: workers or vacancies that arrived after it.

    Workers registered (or vacancies opened) after the round are matched into the round's
    state without waiting for the next round (``matching.rolling``). Triggers within one
    queued update are merged into it: an import of 500 rows makes one update.
    """

    round = models.ForeignKey(
        MatchRound,
        verbose_name=_("匹配轮次"),
        on_delete=models.CASCADE,
        related_name="rolling_updates",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.QUEUED
    )
    kind = models.CharField(_("方式"), max_length=10, choices=RollingKind.choices, blank=True)
    # What triggered it: ids of the workers registered and of the vacancies opened or raised.
    worker_ids = models.JSONField(_("新登记劳动力"), default=list, blank=True)
    vacancy_ids = models.JSONField(_("新开放岗位"), default=list, blank=True)
    proposed = models.PositiveIntegerField(_("新增推荐"), default=0)
    withdrawn = models.PositiveIntegerField(_("撤回推荐"), default=0)
    statistics = models.JSONField(_("统计"), default=dict, blank=True)
    timings = models.JSONField(_("耗时"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("滚动匹配更新")
        verbose_name_plural = _("滚动匹配更新")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="rolling_progress_percent"
            ),
            # Triggers merge into the one queued update of a round (the debounce).
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(status="queued"),
                name="rolling_one_queued_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.round_id} · {self.get_kind_display() or self.status}"
