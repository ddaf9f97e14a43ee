"""Forms of the staff pages. They check the shape of the input; the business rules
(ID number check digits, the transition table, the one-time notice rule) live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApplicantKind, DeliveryMethod, Result, SuspendKind


class ApplicantForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON)
    ident = forms.CharField(label=_("身份证号 / 统一社会信用代码"), max_length=18)
    name = forms.CharField(label=_("申请人姓名 / 名称"), max_length=100)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def applicant(self) -> dict:
        d = self.cleaned_data
        out = {"kind": d["kind"], "name": d["name"], "phone": d.get("phone") or ""}
        out["id_number" if d["kind"] == ApplicantKind.PERSON else "uscc"] = d["ident"].strip()
        return out

    def add_service_errors(self, fields: dict) -> bool:
        """Put a service's field errors (applicant.id_number …) on the form's fields."""
        mapping = {"applicant.kind": "kind", "applicant.name": "name", "applicant.phone": "phone",
                   "applicant.id_number": "ident", "applicant.uscc": "ident"}
        placed = False
        for key, msg in (fields or {}).items():
            name = mapping.get(key)
            if name and name not in self.errors:
                self.add_error(name, str(msg))
                placed = True
        return placed


class NoticeForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    opinion = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    result = forms.ChoiceField(label=_("办理结果"), choices=Result.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(label=_("特别程序"), choices=SuspendKind.choices)
    reason = forms.CharField(label=_("挂起理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=99)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class DeliverForm(forms.Form):
    method = forms.ChoiceField(label=_("送达方式"), choices=DeliveryMethod.choices)
    address = forms.CharField(label=_("收件地址（寄递送达）"), required=False, max_length=200)
    courier = forms.CharField(label=_("寄递企业（寄递送达）"), required=False, max_length=40)
    waybill = forms.CharField(label=_("运单号（寄递送达）"), required=False, max_length=40)


class AcceptForm(forms.Form):
    commitment = forms.CharField(label=_("容缺承诺（仅容缺受理时填写）"), required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("终止理由"), widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(forms.Form):
    result = forms.ChoiceField(label=_("核查结论"), widget=forms.RadioSelect,
                               choices=[("confirmed", _("承诺属实")), ("false", _("承诺不实（撤销决定）"))])
    note = forms.CharField(label=_("核查说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeliveryStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("寄递状态"), choices=[("received", _("已签收"))])


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EmptyForm(forms.Form):
    pass


ACTION_FORMS = {
    "notice": NoticeForm,
    "supplement": EmptyForm,
    "accept": AcceptForm,
    "reject": RejectForm,
    "review": ReviewForm,
    "decide": DecideForm,
    "suspend": SuspendForm,
    "resume": EmptyForm,
    "extend": ExtendForm,
    "deliver": DeliverForm,
    "withdraw": WithdrawForm,
    "makeup": EmptyForm,
    "terminate": TerminateForm,
    "verify": VerifyForm,
    "delivery": DeliveryStatusForm,
}


def payload_for(action: str, form: forms.Form, post) -> dict:
    """The service payload of an action from its bound, valid form and the raw POST (checkbox lists)."""
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    if action == "notice":
        missing = post.getlist("missing")
        data["missing"] = missing
        data["accepted"] = post.getlist("accepted")
        data["reasons"] = {c: post.get(f"reason_{c}", "").strip() for c in missing if post.get(f"reason_{c}", "").strip()}
        data.setdefault("note", "")
    elif action in ("supplement", "makeup"):
        data["materials"] = post.getlist("materials")
    elif action == "accept" and post.getlist("deferred"):
        data["deferred"] = post.getlist("deferred")
    elif action == "decide":
        data.setdefault("reason", "")
    return data
