from django.urls import path

from onewindow.core.pagecache import public_page

from . import views

urlpatterns = [
    path("items/", public_page(views.item_search), name="item_search"),
    path("items/excel/", views.catalogue_excel, name="catalogue_excel"),
    path("items/<str:code>/", public_page(views.item_guide), name="item_guide"),
    path("lists/", public_page(views.lists), name="lists"),
    path("lists/<str:kind>.xlsx", public_page(views.list_xlsx), name="list_xlsx"),
]
