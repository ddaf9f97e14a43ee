from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.room, name="room"),
    path("board/", views.board, name="board"),
    path("alerts/<str:level>/", views.alert_list, name="alerts"),
    path("cards/issue/", views.card_issue, name="card_issue"),
    path("cards/<int:pk>/revoke/", views.card_revoke, name="card_revoke"),
]
