"""Catalogue search that finds what people type (ADR 0130).

A query is normalised (full-width → half-width, lower case), stripped of filler words (我想、怎么办、
需要什么材料 …) and expanded with the administrator's vocabulary: synonyms (社保 → 社会保险、社会保障卡 …),
themes (生育、开办 … → their keywords) and the 一件事 whose name it names (开办企业 → the five items of
开办企业一件事). Each item is then scored by weighted substring matches over its name, result, licence
type, department and code, plus overlapping character pairs (bigrams) of the query for phrasings that
are no substring (公积金贷款 → 住房公积金个人住房贷款). Portable: the corpus is one narrow query (id, name, result, licence, department, code) of the filtered items, and
the scoring runs in Python over it, identically on SQLite and PostgreSQL; at the catalogue's size
(about 1,100 items) that is a few milliseconds (measured in the ADR).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
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
W_SYNONYM_EXACT = 20  # an expansion that is an item's whole name points at that item
W_RESIDUE, W_BIGRAM = 8, 4  # weak evidence


def normalise(text: str) -> str:
    """Full-width → half-width, lower case, punctuation (but the hyphen of codes) → space."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"[^\w\s-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUERY]


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


def _matched_synonyms(core: str) -> list[tuple[str, str]]:
    """(term, expansions) of the synonyms whose term is in the query."""
    hits = [(normalise(t), e) for t, e in Synonym.objects.values_list("term", "expansions")]
    hits = [(t, e) for t, e in hits if t and t in core]
    # 社保卡 wins over 社保 when both are in the query: drop terms inside a longer matched term.
    return [(t, e) for t, e in hits if not any(t != o and t in o for o, _ in hits)]


def parse(raw: str) -> Query:
    text = normalise(raw)
    if not text:
        return Query()
    core = strip_fillers(text) or text
    q = Query(text=text, core=core)
    own = split_words(core, QUERY_SEPARATORS)
    q.words = [w for w in dict.fromkeys([core, *own]) if len(w) >= 2 or CODE_LIKE.match(w)]
    rest = core
    for term, expansions in _matched_synonyms(core):
        q.expansions += split_words(expansions)
        rest = rest.replace(term, " ")
    if rest != core:
        q.residue = [w for w in split_words(rest, QUERY_SEPARATORS) if w not in q.words]
    q.residue += [w for w in own if len(w) == 1 and CJK.match(w) and w not in q.residue]  # 公积金怎么取 → 取
    for name, keywords in Theme.objects.values_list("name", "keywords"):
        name = normalise(name)
        if name and (name in core or (len(core) >= 2 and core in name)):
            q.theme_words += split_words(keywords)
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


CORPUS_FIELDS = ("pk", "name", "result_name", "licence_type__name", "item__department__name",
                 "item__department__short_name", "item__code", "item_id")
MAX_CORPUS = 20_000  # rows scored per search; far above the catalogue (ADR 0130)


def _contains(word: str, *texts: str) -> bool:
    return any(word in t for t in texts)


def score(row: tuple, q: Query) -> tuple[int, int]:
    """(strong, weak) evidence that one corpus row (lower-cased CORPUS_FIELDS) is what `q` asks for."""
    _, name, result, licence, dept, short, code, item_id = row
    strong = W_EXACT if name in (q.core, q.text) else 0
    for i, w in enumerate(q.words):
        if w in name:
            strong += W_NAME_FULL if i == 0 else W_NAME_WORD
        elif len(w) >= 2 and _contains(w, result, licence):
            strong += W_RESULT
        if len(w) >= 2 and _contains(w, dept, short):
            strong += W_DEPARTMENT
        if CODE_LIKE.match(w) and w in code:
            strong += W_CODE
    for i, w in enumerate(q.expansions):  # the administrator lists the most important first
        if w in name:
            strong += max(W_NAME_SYNONYM - 2 * i, 30) + (W_SYNONYM_EXACT if w == name else 0)
        elif _contains(w, result, licence):
            strong += W_RESULT_SYNONYM
    if any(w in name for w in q.theme_words):
        strong += W_THEME
    if item_id in q.bundle_item_ids:
        strong += W_BUNDLE
    pairs = sum(p in name for p in q.pairs)
    weak = W_RESIDUE * sum(w in name for w in q.residue) + W_BIGRAM * pairs
    if not strong and (not q.pairs or pairs < max(2, -(-len(q.pairs) * 3 // 5))):
        return 0, 0  # weak evidence alone admits an item only with most (60 %) of the query's pairs
    return strong, weak


class Ranked:
    """The matching versions of a query set, best first, sliced like a query set (for `paginate`):
    `count()` is the number of matches, a slice fetches only its own rows (with `.score`)."""

    def __init__(self, qs: QuerySet, scored: list[tuple[int, int]]):
        self.qs, self.scored = qs, scored

    def count(self) -> int:
        return len(self.scored)

    def __len__(self) -> int:
        return len(self.scored)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        part = self.scored[index]
        rows = self.qs.in_bulk([pk for pk, _ in part])
        out = []
        for pk, points in part:
            row = rows[pk]
            row.score = points
            out.append(row)
        return out

    def __iter__(self):
        return iter(self[:])


def rank(qs: QuerySet, raw: str) -> QuerySet | Ranked:
    """The versions of `qs` (current ItemVersions) that match `raw`, best first; `qs` itself for an
    empty query. Scores the filtered corpus (one narrow query) in Python; see `score`."""
    q = parse(raw)
    if q.empty:
        return qs
    terms = [*q.words, *q.expansions, *q.theme_words, *q.residue]
    anything = re.compile("|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True)) or "(?!)")
    bundle_items = set(q.bundle_item_ids)
    pairs = re.compile("(?=(" + "|".join(re.escape(p) for p in q.pairs) + "))") if q.pairs else None
    scored = []
    for values in qs.order_by().values_list(*CORPUS_FIELDS)[:MAX_CORPUS]:
        row = tuple(v.lower() if isinstance(v, str) else (v or "") for v in values)
        # most rows match nothing: one regex over all their text decides, and only pairs remain
        if (not anything.search("\x00".join(row[1:7])) and row[7] not in bundle_items
                and (pairs is None or len(set(pairs.findall(row[1]))) < 2)):
            continue
        strong, weak = score(row, q)
        if strong or weak:
            scored.append((-(strong + weak), len(row[1]), row[6], values[0]))
    scored.sort()
    return Ranked(qs.order_by(), [(pk, -neg) for neg, _, _, pk in scored])


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
