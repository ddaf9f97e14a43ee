from django.contrib.auth import views as auth_views
from django.urls import path

from . import twofactor, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/code/", views.send_code, name="register-code"),
    path("2fa/setup/", twofactor.setup, name="2fa-setup"),
    path("2fa/verify/", twofactor.verify, name="2fa-verify"),
]
