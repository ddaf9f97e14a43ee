from django.contrib import admin
from django.urls import include, path

from onewindow.api.urls import api

admin.site.site_header = "一窗通办 · 后台管理"
admin.site.site_title = "一窗通办"
admin.site.index_title = "中心管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("onewindow.accounts.urls")),
    path("network/", include("onewindow.regions.urls")),
    path("", include("onewindow.catalog.urls")),
    path("", include("onewindow.cases.urls")),
    path("stats/", include("onewindow.stats.urls")),
    path("supervision/", include("onewindow.supervision.urls")),
    path("agency/", include("onewindow.agency.urls")),
    path("ratings/", include("onewindow.ratings.urls")),
    path("", include("onewindow.portal.urls")),
]
