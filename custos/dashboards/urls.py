from django.urls import path

from custos.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="index"),
    path("export/<slug:key>.csv", views.export, name="export"),
    path("sites/", views.sites, name="sites"),
    path("moderation/<int:site_pk>/", views.moderation, name="moderation"),
    path("cases/", views.cases, name="cases"),
]
