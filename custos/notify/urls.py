from django.urls import path

from custos.notify import views

app_name = "notify"

urlpatterns = [
    path("channels/", views.channels, name="channels"),
    path("channels/<int:channel_id>/remove/", views.channel_remove, name="channel_remove"),
]
