"""Writes to the search vocabulary (synonyms and themes): one transaction each, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.core.errors import ServiceError

from .models import Audience, Synonym, Theme
from .search import split_words

SYNONYM_FIELDS = ("expansions", "note")
THEME_FIELDS = ("name", "audience", "keywords", "order")


def _clean_synonym(term: str, expansions: str) -> tuple[str, str]:
    term, words = (term or "").strip(), split_words(expansions)
    errors = {}
    if not term:
        errors["term"] = _("请填写群众常用说法")
    if not words:
        errors["expansions"] = _("请至少填写一个对应的规范用语")
    if errors:
        raise ServiceError(_("同义词信息不完整"), fields=errors)
    return term, " ".join(words)


@transaction.atomic
def save_synonym(*, term: str, expansions: str, note: str = "", pk=None, actor=None,
                 overwrite: bool = True) -> tuple[Synonym, bool]:
    """Create or change a synonym (by `pk`, else by `term`). With overwrite=False an existing
    synonym is left as it is. Returns (synonym, changed)."""
    term, expansions = _clean_synonym(term, expansions)
    qs = Synonym.objects.select_for_update()
    syn = qs.filter(pk=pk).first() if pk else qs.filter(term=term).first()
    if Synonym.objects.filter(term=term).exclude(pk=getattr(syn, "pk", None)).exists():
        raise ServiceError(_("该说法已存在：%(term)s") % {"term": term}, code="conflict", fields={"term": _("已存在")})
    wanted = {"term": term, "expansions": expansions, "note": (note or "").strip()}
    if syn is not None and (not overwrite or all(getattr(syn, k) == v for k, v in wanted.items())):
        return syn, False
    before = None if syn is None else {k: getattr(syn, k) for k in wanted}
    syn = syn or Synonym()
    for k, v in wanted.items():
        setattr(syn, k, v)
    syn.save()
    record(actor=actor, action="catalog.synonym." + ("create" if before is None else "update"),
           obj_type="catalog.Synonym", obj_id=term, before=before, after=wanted)
    return syn, True


@transaction.atomic
def delete_synonym(syn: Synonym, actor=None) -> None:
    before = {"term": syn.term, "expansions": syn.expansions, "note": syn.note}
    syn.delete()
    record(actor=actor, action="catalog.synonym.delete", obj_type="catalog.Synonym", obj_id=before["term"],
           before=before)


@transaction.atomic
def save_theme(*, code: str, name: str, audience: str, keywords: str, order: int = 0, actor=None,
               overwrite: bool = True) -> tuple[Theme, bool]:
    """Create or change a theme by code (overwrite=False leaves an existing one as it is)."""
    code, name, words = (code or "").strip(), (name or "").strip(), split_words(keywords)
    errors = {}
    if not code:
        errors["code"] = _("请填写主题编码")
    if not name:
        errors["name"] = _("请填写主题名称")
    if audience not in Audience.values:
        errors["audience"] = _("服务对象只能是个人办事或法人办事")
    if not words:
        errors["keywords"] = _("请至少填写一个关键词")
    if errors:
        raise ServiceError(_("主题信息不完整"), fields=errors)
    theme = Theme.objects.select_for_update().filter(code=code).first()
    clash = Theme.objects.filter(audience=audience, name=name).exclude(pk=getattr(theme, "pk", None))
    if clash.exists():
        raise ServiceError(_("同类主题名称已存在：%(name)s") % {"name": name}, code="conflict",
                           fields={"name": _("已存在")})
    wanted = {"name": name, "audience": audience, "keywords": " ".join(words), "order": int(order or 0)}
    if theme is not None and (not overwrite or all(getattr(theme, k) == v for k, v in wanted.items())):
        return theme, False
    before = None if theme is None else {k: getattr(theme, k) for k in wanted}
    theme = theme or Theme(code=code)
    for k, v in wanted.items():
        setattr(theme, k, v)
    theme.save()
    record(actor=actor, action="catalog.theme." + ("create" if before is None else "update"),
           obj_type="catalog.Theme", obj_id=code, before=before, after=wanted)
    return theme, True


@transaction.atomic
def delete_theme(theme: Theme, actor=None) -> None:
    before = {"code": theme.code, "name": theme.name, "audience": theme.audience, "keywords": theme.keywords}
    theme.delete()
    record(actor=actor, action="catalog.theme.delete", obj_type="catalog.Theme", obj_id=before["code"],
           before=before)


@transaction.atomic
def load(data: dict, *, reset: bool = False, actor=None) -> int:
    """Seed the vocabulary from `data` ({"synonyms": [...], "themes": [...]}): missing entries are
    created; existing ones keep the administrator's edits unless `reset`. Returns how many changed."""
    changed = 0
    for row in data.get("synonyms", []):
        changed += save_synonym(**row, actor=actor, overwrite=reset)[1]
    for row in data.get("themes", []):
        changed += save_theme(**row, actor=actor, overwrite=reset)[1]
    return changed
