from django.urls import path

from custos.audit import views

urlpatterns = [path("", views.audit_log, name="audit_log")]
