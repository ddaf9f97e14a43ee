"""Applicant registration: phone, password, identity and a one-time SMS code."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.errors import ServiceError, error_body
from onewindow.portal import services as portal_services

from .forms import OrgRegisterForm, PersonRegisterForm

BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_POST
def send_code(request):
    """POST phone → 200 {"sent": true}; bad phone 400, too frequent 429 (contract error body)."""
    phone = request.POST.get("phone", "")  # request_sms_code validates it
    try:
        portal_services.request_sms_code(phone, "register")
    except ServiceError as exc:
        if request.headers.get("HX-Request") or request.POST.get("html"):
            return render(request, "portal/register_code.html", {"error": exc.message}, status=exc.status)
        return JsonResponse(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if request.headers.get("HX-Request") or request.POST.get("html"):
        return render(request, "portal/register_code.html", {"sent": True})
    return JsonResponse({"sent": True})


def register(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or "person"
    if kind not in ("person", "org"):
        kind = "person"
    form_class = OrgRegisterForm if kind == "org" else PersonRegisterForm
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                if kind == "org":
                    user = portal_services.register_org(
                        phone=d["phone"], password=d["password"], code=d["code"], name=d["name"], uscc=d["uscc"],
                        legal_representative=d["legal_representative"], email=d.get("email", ""))
                else:
                    user = portal_services.register_person(
                        phone=d["phone"], password=d["password"], code=d["code"], name=d["name"],
                        id_number=d["id_number"], email=d.get("email", ""))
            except ServiceError as exc:
                form.add_error(None, exc.message)
                for field, msg in exc.fields.items():
                    if field in form.fields:
                        form.add_error(field, msg)
            else:
                login(request, user, backend=BACKEND)
                messages.success(request, _("注册成功，欢迎使用网上办事大厅"))
                return redirect("hall")
    return render(request, "portal/register.html", {"form": form, "kind": kind}, status=status)
