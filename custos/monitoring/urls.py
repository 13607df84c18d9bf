from django.urls import path

from custos.monitoring import views

urlpatterns = [
    path("", views.index, name="monitoring_index"),
    path("notice/", views.notice, name="monitoring_notice"),
    path("schools/<int:school_id>/social-media/", views.social_report, name="monitoring_social_report"),
    path("schools/<int:school_id>/encyclopaedia-edits/", views.edits_report, name="monitoring_edits_report"),
    path("schools/<int:school_id>/hours/", views.school_hours, name="monitoring_school_hours"),
    path("schools/<int:school_id>/hours/<int:user_id>/", views.person_hours, name="monitoring_person_hours"),
    path("domains/", views.domains, name="monitoring_domains"),
    path("domains/<int:entry_id>/remove/", views.remove_domain, name="monitoring_remove_domain"),
]
