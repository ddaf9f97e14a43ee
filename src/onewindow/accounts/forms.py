"""Applicant registration forms (citizens and enterprises)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class _RegisterBase(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20)
    code = forms.CharField(label=_("短信验证码"), max_length=6)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, max_length=128)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, max_length=128)
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


class PersonRegisterForm(_RegisterBase):
    name = forms.CharField(label=_("姓名"), max_length=100)
    id_number = forms.CharField(label=_("身份证号"), max_length=20)


class OrgRegisterForm(_RegisterBase):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=20)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=50)
