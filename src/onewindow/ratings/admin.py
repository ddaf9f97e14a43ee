from django.contrib import admin

from .models import Rating, Rectification, RectificationNote


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("case", "level", "channel", "department", "region_code", "rated_at")
    list_filter = ("level", "channel")
    search_fields = ("case__number",)
    readonly_fields = [f.name for f in Rating._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoteInline(admin.TabularInline):
    model = RectificationNote
    extra = 0
    readonly_fields = ("author", "text", "at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ("id", "rating", "department", "opened_on", "due_date", "status")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Rectification._meta.fields]
    inlines = [NoteInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
