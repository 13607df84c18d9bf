from django.urls import path

from custos.policy import views

urlpatterns = [
    path("", views.policy, name="policy"),
    path("versions/<str:label>/", views.policy, name="policy_version"),
    path("versions/<str:label>/changes/<str:other>/", views.version_changes, name="policy_changes"),
    path("clause/<str:number>/", views.clause, name="clause"),
    path("acknowledge/", views.acknowledge, name="policy_acknowledge"),
    path("acknowledgements/", views.acknowledgements, name="policy_acknowledgements"),
    path("acknowledgements/remind/", views.send_reminders, name="policy_acknowledgement_reminders"),
    path("reviews/", views.reviews, name="policy_reviews"),
    path("reviews/<int:pk>/", views.review, name="policy_review"),
]
