"""The hall's queues (排队叫号): queues, the windows that serve them, tickets and their events, appointments.

A ticket is numbered prefix + 3 digits per site, queue and day from a counter row
(`TicketCounter`, drawn like case numbers). Each state change appends a `TicketEvent`
with its exact time, so waits and service times are read from events, never guessed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HallSettings(models.Model):
    """The hall rules of one site (defaults apply when a site has no row)."""

    site = models.OneToOneField("regions.Site", verbose_name=_("服务场所"), on_delete=models.CASCADE,
                                related_name="hall_settings")
    wait_limit_minutes = models.PositiveSmallIntegerField(_("等候时限（分钟）"), default=30)
    booking_horizon_days = models.PositiveSmallIntegerField(_("可预约工作日数"), default=5)
    booking_min_hours = models.PositiveSmallIntegerField(_("至少提前小时数"), default=2)
    slot_minutes = models.PositiveSmallIntegerField(_("预约时段长度（分钟）"), default=30)

    class Meta:
        verbose_name = _("大厅规则")
        verbose_name_plural = _("大厅规则")

    def __str__(self):
        return str(self.site)


class Queue(models.Model):
    site = models.ForeignKey("regions.Site", verbose_name=_("服务场所"), on_delete=models.CASCADE, related_name="queues")
    hall = models.ForeignKey("regions.Hall", verbose_name=_("大厅"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="queues")
    code = models.CharField(_("队列编码"), max_length=20)
    prefix = models.CharField(_("号码前缀"), max_length=2)
    name = models.CharField(_("队列名称"), max_length=60)
    items = models.ManyToManyField("catalog.ServiceItem", verbose_name=_("办理事项"), blank=True, related_name="queues")
    departments = models.ManyToManyField("catalog.Department", verbose_name=_("部门"), blank=True,
                                         related_name="queues")
    daily_cap = models.PositiveIntegerField(_("每日放号上限"), default=0, help_text=_("0 表示不限"))
    slot_capacity = models.PositiveSmallIntegerField(_("每个预约时段名额"), default=0, help_text=_("0 表示不开放预约"))
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("排队队列")
        verbose_name_plural = _("排队队列")
        ordering = ["site", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="queue_site_code"),
            models.UniqueConstraint(fields=["site", "prefix"], name="queue_site_prefix"),
        ]

    def __str__(self):
        return f"{self.prefix} {self.name}"


class SessionDays(models.TextChoices):
    WORKDAY = "workday", _("工作日")
    RESTDAY = "restday", _("休息日")


class QueueSession(models.Model):
    """An opening session of a queue (e.g. 延时服务 until 19:00, weekend service).

    A queue without sessions follows its site's hours on working days.
    """

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="sessions")
    days = models.CharField(_("适用日"), max_length=8, choices=SessionDays.choices, default=SessionDays.WORKDAY)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("服务时段")
        verbose_name_plural = _("服务时段")
        ordering = ["queue", "days", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="queue_session_order")]


class WindowQueue(models.Model):
    """A window serves a queue with a priority (1 is served first)."""

    window = models.ForeignKey("regions.Window", on_delete=models.CASCADE, related_name="queue_links")
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="window_links")
    priority = models.PositiveSmallIntegerField(_("优先级"), default=1)

    class Meta:
        verbose_name = _("窗口服务队列")
        verbose_name_plural = _("窗口服务队列")
        constraints = [models.UniqueConstraint(fields=["window", "queue"], name="window_queue_unique")]


class WindowState(models.TextChoices):
    OPEN = "open", _("开放")
    PAUSED = "paused", _("暂停")
    CLOSED = "closed", _("关闭")


class WindowStatus(models.Model):
    """Who sits at a window now and whether it takes tickets."""

    window = models.OneToOneField("regions.Window", on_delete=models.CASCADE, related_name="status")
    state = models.CharField(_("状态"), max_length=8, choices=WindowState.choices, default=WindowState.CLOSED)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    since = models.DateTimeField(_("变更时间"))

    class Meta:
        verbose_name = _("窗口状态")
        verbose_name_plural = _("窗口状态")


class TicketCounter(models.Model):
    """The day's number counter of one queue; the row is locked while a number is drawn."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "day"], name="ticket_counter_queue_day")]


class TicketState(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已办结")
    NO_SHOW = "no_show", _("过号")
    TRANSFERRED = "transferred", _("已转移")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_STATES = (TicketState.WAITING, TicketState.CALLED, TicketState.SERVING)
HELD_STATES = (TicketState.CALLED, TicketState.SERVING)


class Priority(models.TextChoices):
    NONE = "", _("普通")
    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残疾人")
    GREEN = "green", _("重大项目绿色通道")
    APPOINTMENT = "appointment", _("预约")


class Ticket(models.Model):
    site = models.ForeignKey("regions.Site", on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey(Queue, verbose_name=_("队列"), on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("日期"))
    seq = models.PositiveIntegerField(_("序号"), null=True, blank=True, help_text=_("转入的号码没有本队列序号"))
    number = models.CharField(_("号码"), max_length=8)
    state = models.CharField(_("状态"), max_length=12, choices=TicketState.choices, default=TicketState.WAITING)
    priority = models.CharField(_("优先类别"), max_length=12, choices=Priority.choices, blank=True, default="")
    rank = models.PositiveSmallIntegerField(default=1, help_text="0 priority, 1 first come")
    queued_at = models.DateTimeField(_("排队时间"), help_text=_("转移的号码保留原取号时间"))
    issued_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=18, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    appointment = models.OneToOneField("Appointment", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="ticket")
    window = models.ForeignKey("regions.Window", verbose_name=_("窗口"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name=_("办件"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="tickets")
    transferred_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="transferred_to")
    recalls = models.PositiveSmallIntegerField(default=0)
    ahead_notified = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["-day", "queue_id", "rank", "queued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "day", "seq"], name="ticket_queue_day_seq"),
            models.UniqueConstraint(fields=["queue", "day", "id_number"], name="ticket_one_active_per_id",
                                    condition=Q(state__in=ACTIVE_STATES) & ~Q(id_number="")),
        ]
        indexes = [
            # Call-next's order per queue, over waiting tickets only (called ones leave it): small and hot.
            models.Index(fields=["queue", "day", "rank", "queued_at", "id"], name="ticket_waiting_order",
                         condition=Q(state="waiting")),
            models.Index(fields=["site", "day", "state"], name="ticket_site_day_state"),
            models.Index(fields=["window", "state"], name="ticket_window_state"),
        ]

    def __str__(self):
        return self.number


class TicketEvent(models.Model):
    """Append-only: one row per state change of a ticket (never edited)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    window = models.ForeignKey("regions.Window", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


class Appointment(models.Model):
    code = models.CharField(_("预约码"), max_length=10, unique=True)
    site = models.ForeignKey("regions.Site", on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey(Queue, verbose_name=_("队列"), on_delete=models.PROTECT, related_name="appointments")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name=_("事项"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    date = models.DateField(_("预约日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=AppointmentState.choices,
                             default=AppointmentState.BOOKED)
    created_at = models.DateTimeField(_("预约时间"))
    changed_at = models.DateTimeField(_("变更时间"))
    reminded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["date", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number", "date"], name="appointment_one_per_person_day",
                                    condition=Q(state__in=("booked", "checked_in"))),
        ]
        indexes = [
            models.Index(fields=["queue", "date", "start", "state"], name="appointment_slot"),
            models.Index(fields=["id_number", "state", "date"], name="appointment_person"),
        ]

    def __str__(self):
        return self.code


class HallRule(models.TextChoices):
    LONG_WAIT = "hall.long_wait", _("等候超时")
    IDLE_WHILE_WAITING = "hall.idle_while_waiting", _("有人等候时窗口空闲或暂停")
    UNSTAFFED = "hall.unstaffed", _("开放时间窗口无人")


class HallAlert(models.Model):
    """A supervision alert of the hall (open while `closed_at` is null; one open per rule and subject)."""

    rule = models.CharField(_("规则"), max_length=32, choices=HallRule.choices)
    site = models.ForeignKey("regions.Site", on_delete=models.CASCADE, related_name="+")
    window = models.ForeignKey("regions.Window", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=40, help_text="ticket:<id> or window:<id>")
    since = models.DateTimeField(_("发现时间"))
    closed_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("大厅监察预警")
        verbose_name_plural = _("大厅监察预警")
        ordering = ["-since", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "subject"], condition=Q(closed_at__isnull=True),
                                               name="hall_alert_one_open")]
        indexes = [models.Index(fields=["closed_at", "site"], name="hall_alert_open_site")]
