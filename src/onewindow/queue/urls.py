from django.urls import path

from . import views

app_name = "queue"

urlpatterns = [
    path("queue/kiosk/<str:site>/", views.kiosk, name="kiosk"),
    path("queue/kiosk/<str:site>/ticket/<str:token>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("queue/board/<str:site>/", views.board, name="board"),
    path("queue/board/<str:site>/live/", views.board_live, name="board_live"),
    path("queue/t/<str:token>/", views.follow, name="follow"),
    path("window/terminal/", views.terminal, name="terminal"),
    path("window/terminal/act/", views.terminal_act, name="terminal_act"),
    path("window/rating/", views.rating, name="rating"),
    path("hall/appointments/", views.appointments_page, name="appointments"),
    path("supervision/windows/", views.monitor, name="monitor"),
]
