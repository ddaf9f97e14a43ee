"""API docs at /api/v1/docs that work offline: Swagger UI vendored from the npm package
swagger-ui-dist (static/onewindow/vendor/swagger-ui/, with its licence), never from a CDN."""

import json

from django.shortcuts import render
from ninja.openapi.docs import Swagger


class OfflineSwagger(Swagger):
    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"swagger_settings": json.dumps(settings), "api": api})
