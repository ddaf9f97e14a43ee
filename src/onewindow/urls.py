from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from onewindow.api.urls import api
from onewindow.core import views as core_views

admin.site.site_header = "一窗通办 · 后台管理"
admin.site.site_title = "一窗通办"
admin.site.index_title = "中心管理"

handler403 = "onewindow.core.views.permission_denied"
handler404 = "onewindow.core.views.page_not_found"
handler500 = "onewindow.core.views.server_error"

urlpatterns = [
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # The language switch carries no CSRF token, so that the public pages it sits on can be cached and
    # served to everyone (core.pagecache); the worst a forged switch does is change a language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/", include("onewindow.accounts.urls")),
    path("network/", include("onewindow.regions.urls")),
    path("", include("onewindow.queue.urls")),
    path("", include("onewindow.intermediaries.urls")),  # /lists/intermediaries/ before the lists' <kind>.xlsx
    path("", include("onewindow.catalog.urls")),
    path("", include("onewindow.cases.urls")),
    path("stats/", include("onewindow.stats.urls")),
    path("supervision/", include("onewindow.supervision.urls")),
    path("agency/", include("onewindow.agency.urls")),
    path("ratings/", include("onewindow.ratings.urls")),
    path("", include("onewindow.portal.urls")),
]
