"""Append-only, hash-chained operation log (ADR 0200).

An entry is inserted unsealed by the action's own transaction (`seq` from the sequence, no lock,
no hash); the sealer (audit.services.seal) later gives it its gap-free chain position
`chain_seq`, `prev_hash` and `hash`, in the order entries became visible committed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=16, blank=True)
    site_code = models.CharField(_("场所"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象标识"), max_length=64, db_index=True)
    before = models.JSONField(_("操作前"), null=True, blank=True)
    after = models.JSONField(_("操作后"), null=True, blank=True)
    chain_seq = models.BigIntegerField(_("链位置"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["seq"]
        indexes = [models.Index(fields=["seq"], condition=models.Q(chain_seq__isnull=True), name="audit_unsealed")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's head: the last sealed position and its hash. Only the sealer locks and moves it
    (ADR 0200); writers of entries never touch it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
