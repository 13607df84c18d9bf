from django.urls import path

from custos.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("retention/", views.retention, name="retention"),
    path("my-details/", views.my_details, name="my_details"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<int:pk>/", views.decide_correction, name="decide_correction"),
    path("requests/", views.sars, name="sars"),
    path("requests/<int:pk>/", views.sar, name="sar"),
    path("requests/<int:pk>/download/", views.download, name="download"),
]
