"""The platform's own URLs plus `/bench/hello/`: a hello-world Django view behind the same middleware,
served by the same processes, as the reference of bench/public.py."""

from django.http import HttpResponse
from django.urls import path

from onewindow.urls import urlpatterns as platform


def hello(request):
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *platform]
