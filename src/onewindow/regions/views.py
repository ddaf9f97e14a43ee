from django.shortcuts import render

from . import selectors


def network(request):
    """The public service network page: /network/?q="""
    context = selectors.network(request.GET.get("q", ""))
    return render(request, "regions/network.html", context)
