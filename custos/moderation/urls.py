from django.urls import path

from custos.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:site_pk>/", views.queue, name="queue"),
    path("item/<int:pk>/", views.item, name="item"),
    path("item/<int:pk>/decide/", views.decide, name="decide"),
    path("third-party/<int:site_pk>/", views.comments, name="comments"),
    path("comment/<int:pk>/decide/", views.decide_comment, name="decide_comment"),
]
