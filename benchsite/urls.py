from django.urls import URLPattern, URLResolver, path

from bench.api import api

urlpatterns: list[URLPattern | URLResolver] = [path("", api.urls)]
