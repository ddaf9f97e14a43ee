"""The service catalogue: departments, versioned service items, materials, fees, bundles.

A ServiceItem is the stable identity (its code); every published change makes a new
ItemVersion and keeps the old one, so a case stays bound to the version it was filed under.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.CharField(_("部门编码"), max_length=20, unique=True)
    name = models.CharField(_("部门名称"), max_length=60, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT)
    stationed = models.BooleanField(_("进驻中心"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class ItemType(models.TextChoices):
    """The ten kinds of administrative power plus public service (国家政务服务事项分类)."""

    LICENSING = "licensing", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")
    LEVY = "levy", _("行政征收")
    PAYMENT = "payment", _("行政给付")
    INSPECTION = "inspection", _("行政检查")
    CONFIRMATION = "confirmation", _("行政确认")
    REWARD = "reward", _("行政奖励")
    ADJUDICATION = "adjudication", _("行政裁决")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


POWER_TYPES = [t for t in ItemType.values if t != ItemType.PUBLIC_SERVICE]


class OnlineDepth(models.TextChoices):
    FULL = "full", _("全程网办")
    PREREVIEW = "prereview", _("网上预审")
    WINDOW = "window", _("窗口办理")


class Subject(models.TextChoices):
    PERSON = "person", _("自然人")
    ORG = "org", _("法人")
    BOTH = "both", _("自然人、法人")


class LicenceType(models.Model):
    """A kind of certificate (电子证照类型) an item issues or a material can be replaced by."""

    code = models.CharField(_("证照类型编码"), max_length=40, unique=True)
    name = models.CharField(_("证照名称"), max_length=80)
    department = models.ForeignKey(
        Department, verbose_name=_("发证部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    validity_years = models.PositiveSmallIntegerField(_("有效期（年，0为长期）"), default=0)

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")

    def __str__(self):
        return self.name


class ServiceItem(models.Model):
    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="items"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["code"]

    def __str__(self):
        current = self.current
        return f"{self.code} {current.name if current else ''}"

    @property
    def current(self):
        return self.versions.filter(is_current=True).first()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class ItemVersion(models.Model):
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("版本号"))
    is_current = models.BooleanField(_("当前版本"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.PUBLISHED)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    name = models.CharField(_("事项名称"), max_length=150, db_index=True)
    type = models.CharField(_("事项类型"), max_length=16, choices=ItemType.choices, db_index=True)
    subject = models.CharField(_("服务对象"), max_length=8, choices=Subject.choices, default=Subject.BOTH)
    levels = models.JSONField(_("行使层级"), default=list, help_text=_("如 [\"city\", \"county\"]"))
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    statutory_days = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    committed_days = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"), help_text=_("0 为即办件"))
    extension_days = models.PositiveSmallIntegerField(_("可延长时限（工作日）"), default=0)
    process_steps = models.JSONField(_("办理流程"), default=list)
    online_depth = models.CharField(_("网办深度"), max_length=10, choices=OnlineDepth.choices, default=OnlineDepth.WINDOW)
    max_visits = models.PositiveSmallIntegerField(_("最多跑动次数"), default=1)
    result_name = models.CharField(_("办理结果"), max_length=100, blank=True)
    licence_type = models.ForeignKey(
        LicenceType, verbose_name=_("出具证照"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stationed = models.BooleanField(_("进驻大厅办理"), default=True)
    window_accepts = models.BooleanField(_("窗口受理授权"), default=True)
    window_reviews = models.BooleanField(_("窗口审核授权"), default=False)
    window_decides = models.BooleanField(_("窗口决定授权"), default=False)
    intermediary_services = models.TextField(_("中介服务"), blank=True)
    responsibilities = models.TextField(_("责任事项"), blank=True)
    accountability = models.TextField(_("追责情形"), blank=True)
    where_to_go = models.CharField(_("办理地点"), max_length=200, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    # Intake modes (容缺受理, 告知承诺制): versioned with the item, so a case keeps the text it signed.
    makeup_days = models.PositiveSmallIntegerField(_("容缺补正时限（工作日）"), default=5)
    commitment_allowed = models.BooleanField(_("实行告知承诺制"), default=False)
    commitment_text = models.TextField(_("告知承诺书文本"), blank=True)
    verification_days = models.PositiveSmallIntegerField(_("承诺核查时限（工作日）"), default=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="item_version_unique"),
            models.UniqueConstraint(fields=["item"], condition=Q(is_current=True), name="item_one_current_version"),
            models.CheckConstraint(condition=Q(committed_days__lte=F("statutory_days")), name="committed_within_statutory"),
            models.CheckConstraint(condition=Q(max_visits__lte=2), name="max_visits_at_most_two"),
        ]
        indexes = [models.Index(fields=["is_current", "type"]), models.Index(fields=["is_current", "online_depth"])]

    def __str__(self):
        return f"{self.name}（v{self.version}）"

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def is_instant(self) -> bool:
        return self.committed_days == 0


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    BOTH = "both", _("原件和复印件")
    ELECTRONIC = "electronic", _("电子件")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")


class Material(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(_("材料编码"), max_length=20)
    name = models.CharField(_("材料名称"), max_length=150)
    required = models.BooleanField(_("必要"), default=True)
    form = models.CharField(_("材料形式"), max_length=10, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    source = models.CharField(_("来源渠道"), max_length=12, choices=MaterialSource.choices, default=MaterialSource.APPLICANT)
    licence_type = models.ForeignKey(
        LicenceType, verbose_name=_("可用电子证照替代"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("填报须知"), max_length=300, blank=True)
    deferrable = models.BooleanField(_("可容缺（非关键材料）"), default=False)
    by_commitment = models.BooleanField(_("可承诺替代"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="material_code_unique_in_version")]

    def __str__(self):
        return self.name


class Fee(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("收费项目"), max_length=100)
    standard = models.CharField(_("收费标准"), max_length=200)
    basis = models.TextField(_("收费依据"))
    enterprise_related = models.BooleanField(_("涉企收费"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Bundle(models.Model):
    """一件事: several items filed as one application and handled in parallel."""

    code = models.CharField(_("一件事编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    lead_department = models.ForeignKey(Department, verbose_name=_("牵头部门"), on_delete=models.PROTECT)
    committed_days = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"), default=0)
    issues_uscc = models.BooleanField(_("办结时赋统一社会信用代码（五证合一）"), default=False)
    items = models.ManyToManyField(ServiceItem, through="BundleItem", verbose_name=_("包含事项"))

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self):
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="bundle_items")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        unique_together = [("bundle", "item")]
        verbose_name = _("一件事事项")
        verbose_name_plural = _("一件事事项")


class Audience(models.TextChoices):
    """Who a theme is for: the two halves of the portal (个人办事 / 法人办事)."""

    PERSON = "person", _("个人办事")
    ORG = "org", _("法人办事")


class Synonym(models.Model):
    """What people type (社保, 开公司) and the words of the catalogue it stands for (search data the
    administrator edits). `expansions`: words separated by spaces, commas, 、 or new lines."""

    term = models.CharField(_("群众常用说法"), max_length=40, unique=True)
    expansions = models.TextField(_("对应的规范用语"), help_text=_("多个词用空格、逗号、顿号或换行分隔"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("检索同义词")
        verbose_name_plural = _("检索同义词")
        ordering = ["term"]

    def __str__(self):
        return self.term


class Theme(models.Model):
    """A life event or business theme (生育, 开办 …): the items whose name or result contains one of
    its keywords. Shown as chips on the search pages; its name is also a search word."""

    code = models.SlugField(_("主题编码"), max_length=30, unique=True)
    name = models.CharField(_("主题名称"), max_length=20)
    audience = models.CharField(_("服务对象"), max_length=8, choices=Audience.choices)
    keywords = models.TextField(_("关键词"), help_text=_("事项名称或办理结果含其中任一词即属于本主题；多个词用空格、逗号、顿号或换行分隔"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("办事主题")
        verbose_name_plural = _("办事主题")
        ordering = ["audience", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["audience", "name"], name="theme_name_unique_per_audience")]

    def __str__(self):
        return f"{self.get_audience_display()} · {self.name}"
