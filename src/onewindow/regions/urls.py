from django.urls import path

from onewindow.core.pagecache import public_page

from . import views

urlpatterns = [
    path("", public_page(views.network), name="network"),
]
