from django.shortcuts import render

from onewindow.catalog import selectors as catalog_selectors


def home(request):
    """The centre's front page: figures computed from the data, search, entry points."""
    context = {
        "figures": catalog_selectors.centre_figures(),
        "departments": catalog_selectors.departments(),
    }
    return render(request, "portal/home.html", context)
