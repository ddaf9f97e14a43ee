from django.urls import path

from . import views

urlpatterns = [
    path("items/", views.item_search, name="item_search"),
    path("items/excel/", views.catalogue_excel, name="catalogue_excel"),
    path("items/<str:code>/", views.item_guide, name="item_guide"),
    path("lists/", views.lists, name="lists"),
    path("lists/<str:kind>.xlsx", views.list_xlsx, name="list_xlsx"),
]
