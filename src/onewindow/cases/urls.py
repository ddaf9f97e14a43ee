from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("window/", views.window, name="window"),
    path("window/search/", views.window_search, name="window_search"),
    path("window/checklist/", views.window_checklist, name="window_checklist"),
    path("desk/", views.desk, name="desk"),
    path("cases/<str:number>/", views.case_page, name="case"),
    path("cases/<str:number>/files/<int:upload_id>/", views.case_file, name="file"),
    path("cases/<str:number>/act/<str:action>/", views.case_act, name="act"),
    path("bundles/<str:number>/", views.bundle_page, name="bundle"),
    path("bundles/<str:number>/accept/", views.bundle_accept, name="bundle_accept"),
    path("bundles/<str:number>/slip.pdf", views.bundle_slip, name="bundle_slip"),
    path("licences/<str:number>/<int:licence_id>.pdf", views.licence_file, name="licence"),
]
