"""Online service hall data: uploaded materials, the notification outbox, SMS codes and
tracking attempts (the last two are the database-backed rate-limit counters, so limits hold
across processes)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class Outbox(models.Model):
    """One message handed to the configured sender (SMS or email)."""

    channel = models.CharField(_("渠道"), max_length=8, choices=OutboxChannel.choices)
    to = models.CharField(_("接收方"), max_length=200)
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    kind = models.CharField(_("类别"), max_length=30, blank=True, db_index=True)
    case_number = models.CharField(_("办件编号"), max_length=20, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息发件箱")
        verbose_name_plural = _("消息发件箱")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.channel} → {self.to}: {self.body[:30]}"


class SmsCode(models.Model):
    """A one-time SMS verification code; only its SHA-256 is stored."""

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    purpose = models.CharField(_("用途"), max_length=20, default="register")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"), db_index=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(_("错误次数"), default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone", "created_at"])]



def upload_path(instance, filename):
    return f"uploads/{instance.case.number}/{instance.sha256[:16]}-{filename}"


class Upload(models.Model):
    """A material file uploaded online, stored under MEDIA_ROOT with its SHA-256."""

    case = models.ForeignKey("cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="uploads")
    material_code = models.CharField(_("材料编码"), max_length=20)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("文件"), upload_to=upload_path, max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("上传材料")
        verbose_name_plural = _("上传材料")
        ordering = ["id"]

    def __str__(self):
        return f"{self.case.number} {self.material_code} {self.original_name}"
