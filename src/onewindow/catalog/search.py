"""Catalogue search that finds what people type (ADR 0130).

A query is normalised (full-width → half-width, lower case), stripped of filler words (我想、怎么办、
需要什么材料 …) and expanded with the administrator's vocabulary: synonyms (社保 → 社会保险、社会保障卡 …),
themes (生育、开办 … → their keywords) and the 一件事 whose name it names (开办企业 → the five items of
开办企业一件事). Each current item is then scored in SQL by weighted `CASE WHEN … LIKE` terms over its
name, result, licence type, department and code, plus overlapping character pairs (bigrams) of the
query for phrasings that are no substring (公积金贷款 → 住房公积金个人住房贷款). Portable: the same SQL
runs on SQLite and PostgreSQL, and at the catalogue's size (about 1,100 items) one scan is a few
milliseconds (measured in the ADR).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length

from django.utils.translation import gettext as _

from onewindow.core.errors import ServiceError

from .models import Audience, Bundle, BundleItem, Synonym, Theme

MAX_QUERY = 50  # characters of a query that are looked at
MAX_TERMS = 40  # expansion words scored per query (bounds the SQL)
VOCABULARY_SEPARATORS = re.compile(r"[\s,，、;；]+")
QUERY_SEPARATORS = re.compile(r"[\s,，、;；/|+和与及或]+")
# Words that carry no meaning for the catalogue; longest first so 怎么办理 goes before 怎么.
FILLERS = sorted(
    ["我想要", "我想", "我要", "想要", "想", "请问", "你好", "怎么办理", "怎么办", "怎么弄", "怎么", "如何办理", "如何", "怎样", "在哪里办", "在哪办", "在哪里", "在哪儿", "在哪", "去哪里", "去哪", "哪里", "哪儿", "需要什么材料", "需要哪些材料", "要什么材料", "需要什么", "需要带什么", "要带什么", "什么材料", "哪些材料", "材料", "手续", "流程", "步骤", "要求", "条件", "办理", "申请", "申办", "咨询", "一下", "可以", "能不能", "能否", "是否", "吗", "呢", "啊", "了", "的", "给", "帮", "我", "想办", "要办", "去办"],
    key=len,
    reverse=True,
)
CJK = re.compile(r"[\u3400-\u9fff]")
CODE_LIKE = re.compile(r"^[a-z0-9-]{2,}$")

# weights of one match in each field
W_EXACT, W_NAME_FULL, W_NAME_WORD, W_NAME_SYNONYM = 100, 60, 30, 40
W_RESULT, W_RESULT_SYNONYM, W_THEME, W_BUNDLE, W_DEPARTMENT, W_CODE = 30, 20, 15, 25, 10, 50
W_RESIDUE, W_BIGRAM = 8, 4  # weak evidence


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower().strip()
    return re.sub(r"\s+", " ", text)[:MAX_QUERY]


def split_words(text: str, separators: re.Pattern = VOCABULARY_SEPARATORS) -> list[str]:
    """`社会保险 社会保障卡、参保` → ['社会保险', '社会保障卡', '参保'] (vocabulary fields)."""
    return [w for w in separators.split(unicodedata.normalize("NFKC", text or "").lower()) if w]


def strip_fillers(text: str) -> str:
    for word in FILLERS:
        text = text.replace(word, " ")
    return re.sub(r"\s+", " ", text).strip()


def bigrams(text: str) -> list[str]:
    chars = "".join(CJK.findall(text))
    return list(dict.fromkeys(chars[i : i + 2] for i in range(len(chars) - 1)))[:12]


@dataclass
class Query:
    """A parsed query: what to look for, with how much each kind of match weighs."""

    text: str = ""
    core: str = ""
    words: list[str] = field(default_factory=list)  # the person's own words (fillers removed)
    residue: list[str] = field(default_factory=list)  # what a synonym left of a word (结婚登记 → 登记)
    expansions: list[str] = field(default_factory=list)  # from synonyms
    theme_words: list[str] = field(default_factory=list)  # from themes the query names
    bundle_item_ids: list[int] = field(default_factory=list)  # items of the 一件事 the query names
    pairs: list[str] = field(default_factory=list)  # bigrams, for phrasings that are no substring

    @property
    def empty(self) -> bool:
        return not self.text


def _matched_synonyms(core: str) -> list[Synonym]:
    hits = [s for s in Synonym.objects.all() if normalise(s.term) and normalise(s.term) in core]
    # 社保卡 wins over 社保 when both are in the query: drop terms inside a longer matched term.
    terms = [normalise(s.term) for s in hits]
    return [s for s, t in zip(hits, terms, strict=True) if not any(t != o and t in o for o in terms)]


def parse(raw: str) -> Query:
    text = normalise(raw)
    if not text:
        return Query()
    core = strip_fillers(text) or text
    q = Query(text=text, core=core)
    own = split_words(core, QUERY_SEPARATORS)
    q.words = [w for w in dict.fromkeys([core, *own]) if len(w) >= 2 or CODE_LIKE.match(w)]
    rest = core
    for syn in _matched_synonyms(core):
        q.expansions += split_words(syn.expansions)
        rest = rest.replace(normalise(syn.term), " ")
    if rest != core:
        q.residue = [w for w in split_words(rest, QUERY_SEPARATORS) if w not in q.words]
    q.residue += [w for w in own if len(w) == 1 and CJK.match(w) and w not in q.residue]  # 公积金怎么取 → 取
    for theme in Theme.objects.all():
        name = normalise(theme.name)
        if name and (name in core or (len(core) >= 2 and core in name)):
            q.theme_words += split_words(theme.keywords)
    names = [w for w in [core, *q.expansions, *split_words(core, QUERY_SEPARATORS)] if len(w) >= 2]
    if names:
        cond = Q()
        for w in names:
            cond |= Q(bundle__name__icontains=w)
        q.bundle_item_ids = list(BundleItem.objects.filter(cond).values_list("item_id", flat=True).distinct()[:50])
    q.expansions = list(dict.fromkeys(w for w in q.expansions if w not in q.words))[:MAX_TERMS]
    q.theme_words = list(dict.fromkeys(q.theme_words))[:MAX_TERMS]
    q.pairs = bigrams(core) if len(core) >= 3 else []
    return q


def _when(cond: Q, weight: int) -> Case:
    return Case(When(cond, then=Value(weight)), default=Value(0), output_field=IntegerField())


def _name_or_result(word: str, in_name: int, in_result: int) -> Case:
    """`in_name` when the item's name contains `word`, else `in_result` when its result or licence does."""
    whens = [When(Q(name__icontains=word), then=Value(in_name))]
    if in_result:
        whens.append(When(Q(result_name__icontains=word) | Q(licence_type__name__icontains=word), then=Value(in_result)))
    return Case(*whens, default=Value(0), output_field=IntegerField())


def rank(qs: QuerySet, raw: str) -> QuerySet:
    """`qs` (current ItemVersions) narrowed to the items that match `raw`, best first."""
    q = parse(raw)
    if q.empty:
        return qs
    parts = [_when(Q(name__iexact=q.core) | Q(name__iexact=q.text), W_EXACT)]
    for i, w in enumerate(q.words):
        parts.append(_name_or_result(w, W_NAME_FULL if i == 0 else W_NAME_WORD, W_RESULT if len(w) >= 2 else 0))
        if len(w) >= 2:
            parts.append(_when(Q(item__department__name__icontains=w) | Q(item__department__short_name__icontains=w),
                               W_DEPARTMENT))
        if CODE_LIKE.match(w):
            parts.append(_when(Q(item__code__icontains=w), W_CODE))
    for i, w in enumerate(q.expansions):  # the administrator lists the most important first
        parts.append(_name_or_result(w, max(W_NAME_SYNONYM - 4 * i, 24), W_RESULT_SYNONYM))
    if q.theme_words:
        cond = Q()
        for w in q.theme_words:
            cond |= Q(name__icontains=w)
        parts.append(_when(cond, W_THEME))
    if q.bundle_item_ids:
        parts.append(_when(Q(item_id__in=q.bundle_item_ids), W_BUNDLE))
    strong = sum(parts[1:], parts[0])
    qs = qs.annotate(strong=strong)
    # weak evidence ranks, but alone admits an item only when most of the query's pairs are in its name
    weak = [_when(Q(name__icontains=w), W_RESIDUE) for w in q.residue]
    if q.pairs:
        pair_parts = [_when(Q(name__icontains=p), 1) for p in q.pairs]
        qs = qs.annotate(pair_hits=sum(pair_parts[1:], pair_parts[0]))
        need = max(2, -(-len(q.pairs) * 3 // 5))  # at least 60 % of the pairs
        qs = qs.filter(Q(strong__gt=0) | Q(pair_hits__gte=need))
        weak.append(W_BIGRAM * F("pair_hits"))
    else:
        qs = qs.filter(strong__gt=0)
    qs = qs.annotate(score=sum(weak, F("strong")))
    return qs.annotate(name_length=Length("name")).order_by("-score", "name_length", "item__code")


def theme_filter(theme: Theme) -> Q:
    """The items of a theme: name or result containing one of its keywords."""
    cond = Q(pk__in=[])
    for w in split_words(theme.keywords)[:MAX_TERMS]:
        cond |= Q(name__icontains=w) | Q(result_name__icontains=w)
    return cond


def themes(audience: str = "") -> list[Theme]:
    """All themes, or those of one audience (person / org); ServiceError for another value."""
    if audience and audience not in Audience.values:
        raise ServiceError(_("服务对象有误"), fields={"audience": _("只能是 person（个人）或 org（法人）：%s") % audience})
    qs = Theme.objects.all()
    return list(qs.filter(audience=audience) if audience else qs)


def find_bundles(raw: str, limit: int = 10) -> list[Bundle]:
    """一件事 whose name or code contains the query, one of its words or a synonym's expansion."""
    q = parse(raw)
    if q.empty:
        return []
    cond = Q(code__iexact=q.text)
    for w in [*q.words, *q.expansions]:
        if len(w) >= 2:
            cond |= Q(name__icontains=w)
    return list(Bundle.objects.filter(cond).order_by("code")[:limit])
