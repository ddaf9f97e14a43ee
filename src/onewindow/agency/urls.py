from django.urls import path

from . import views

app_name = "agency"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("file/", views.file, name="file"),
    path("cases/<str:number>/", views.case, name="case"),
    path("cases/<str:number>/receipt.pdf", views.receipt, name="receipt"),
    path("deliver/<str:number>/", views.deliver, name="deliver"),
    path("network/", views.network, name="network"),
    path("projects/", views.projects, name="projects"),
    path("projects/<str:code>/", views.project, name="project"),
]
