from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/followup/", views.followup, name="followup"),
    path("rectifications/<int:pk>/close/", views.close, name="close"),
    path("window/<str:number>/", views.window_rate, name="window"),
    path("<str:number>/", views.rate, name="rate"),
]
