"""Bounded pagination for every list: a page number from user input and one page of a queryset."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from onewindow.core.errors import ServiceError

MAX_PAGE_SIZE = 100


@dataclass
class Page:
    """One page of results: `rows` plus what a pager needs."""

    count: int
    page: int
    page_size: int
    rows: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def previous_page(self) -> int:
        return self.page - 1

    @property
    def next_page(self) -> int:
        return self.page + 1


def parse_page(value, *, name: str = "page") -> int:
    """A 1-based page number from user input; ServiceError naming the parameter otherwise."""
    if value in (None, ""):
        return 1
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(_("页码必须是正整数"), fields={name: _("页码必须是正整数")}) from None
    if number < 1:
        raise ServiceError(_("页码必须是正整数"), fields={name: _("页码必须是正整数")})
    return number


def paginate(qs, page, page_size: int = 20) -> Page:
    """Bounded pagination: page >= 1, 1 <= page_size <= MAX_PAGE_SIZE; a page past the end is empty."""
    number = parse_page(page)
    try:
        size = int(page_size)
    except (TypeError, ValueError):
        raise ServiceError(_("每页条数有误"), fields={"page_size": _("每页条数必须是整数")}) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ServiceError(_("每页条数有误"), fields={"page_size": _("每页条数应在 1 到 %d 之间") % MAX_PAGE_SIZE})
    count = len(qs) if isinstance(qs, list) else qs.count()  # a ranked list (catalog.search) or a queryset
    start = (number - 1) * size
    rows = list(qs[start : start + size]) if start < count else []
    return Page(count=count, page=number, page_size=size, rows=rows)
