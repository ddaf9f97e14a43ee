from django.urls import path

from onewindow.core.pagecache import public_page

from . import views

urlpatterns = [
    path("", public_page(views.home), name="home"),
    path("track/", views.track_page, name="track"),
    path("hall/", views.hall, name="hall"),
    path("hall/apply/<str:code>/", views.apply, name="hall-apply"),
    path("hall/cases/<str:number>/", views.case_detail, name="hall-case"),
    path("hall/cases/<str:number>/supplement/", views.supplement, name="hall-supplement"),
    path("hall/cases/<str:number>/withdraw/", views.withdraw, name="hall-withdraw"),
    path("hall/files/<int:upload_id>/", views.download, name="hall-file"),
]
