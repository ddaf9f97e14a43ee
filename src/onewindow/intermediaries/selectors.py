"""Reads of the 中介服务清单 (public)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from onewindow.core.pagination import Page, paginate

from .models import Engagement, IntermediaryService, Provider


def services() -> QuerySet:
    return IntermediaryService.objects.all()


def services_for_item(item_id: int) -> list[IntermediaryService]:
    return list(IntermediaryService.objects.filter(items__id=item_id).order_by("order", "code"))


def search(search: str = "", item: str = "", page=1, page_size=20) -> Page:
    qs = IntermediaryService.objects.annotate(provider_count=Count("providers", filter=Q(providers__active=True)))
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if item:
        qs = qs.filter(items__code=item)
    result = paginate(qs.order_by("order", "code"), page, page_size)
    rows = list(result.rows)
    # Items and providers of the page's services: two queries, whatever the page size.
    from django.db.models import OuterRef, Subquery, prefetch_related_objects

    from onewindow.catalog.models import ItemVersion, ServiceItem

    # each item with the name of its current version (shown to people instead of its code), same query
    current_name = ItemVersion.objects.filter(item=OuterRef("pk"), is_current=True).values("name")[:1]
    prefetch_related_objects(
        rows,
        Prefetch("items", queryset=ServiceItem.objects.select_related("department")
                 .annotate(current_name=Subquery(current_name)).order_by("code")),
        Prefetch("providers", queryset=Provider.objects.filter(active=True).select_related("region")),
    )
    result.rows = rows
    return result


def engagements_of(case) -> QuerySet:
    return Engagement.objects.filter(case=case).select_related("service", "provider")
