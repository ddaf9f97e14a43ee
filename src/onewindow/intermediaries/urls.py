from django.urls import path

from . import views

urlpatterns = [
    path("lists/intermediaries/", views.intermediary_list, name="intermediary_list"),
    path("lists/intermediaries.xlsx", views.intermediary_xlsx, name="intermediary_xlsx"),
]
