from django.urls import path

from custos.cases import chronology_views, oncall_views, views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report_index, name="report_index"),
    path("report/<slug:kind>/", views.report, name="report"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("my-reports/<str:reference>/", views.received, name="received"),
    path("retention/", views.retention, name="retention"),
    path("targets/", views.targets, name="targets"),
    path("timings/", views.case_timings, name="timings"),
    path("timings/closed-days/", views.closed_day_add, name="closed_day_add"),
    path("timings/closed-days/<int:closed_day_id>/remove/", views.closed_day_remove, name="closed_day_remove"),
    path("pupils/<int:pupil_id>/chronology/", chronology_views.pupil_chronology, name="chronology"),
    path("on-call/", oncall_views.rota, name="rota"),
    path("on-call/add/", oncall_views.rota_add, name="rota_add"),
    path("on-call/<int:shift_id>/remove/", oncall_views.rota_remove, name="rota_remove"),
    path("alerts/<int:alert_id>/", oncall_views.alert, name="alert"),
    path("timings/holidays/", views.school_holiday_add, name="school_holiday_add"),
    path("timings/holidays/<int:holiday_id>/remove/", views.school_holiday_remove, name="school_holiday_remove"),
    path("timings/out-of-hours/", views.out_of_hours, name="out_of_hours"),
    path("escalations/<int:escalation_id>/seen/", views.escalation_seen, name="escalation_seen"),
    path("<str:reference>/", views.case_detail, name="case"),
    path("<str:reference>/delete/", views.delete, name="delete"),
    path("<str:reference>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("<str:reference>/evidence/<int:evidence_id>/quarantined/", views.quarantine, name="quarantine"),
    path("<str:reference>/<slug:action>/", views.case_action, name="action"),
]
