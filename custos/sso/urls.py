from django.urls import path

from custos.sso import views

app_name = "sso"

urlpatterns = [
    path("<slug:name>/start/", views.start, name="start"),
    path("<slug:name>/callback/", views.callback, name="callback"),
]
