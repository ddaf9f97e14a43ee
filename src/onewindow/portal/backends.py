"""Login by phone number: applicants may type their mobile number instead of a username."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from onewindow.accounts.models import Role


class PhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        phone = str(username).strip()
        if not phone.isdigit():
            return None
        users = list(get_user_model().objects.filter(phone=phone, role=Role.APPLICANT)[:2])
        if len(users) != 1:
            get_user_model()().set_password(password)  # same cost as a real check
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
