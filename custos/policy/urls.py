from django.urls import path

from custos.policy import views

urlpatterns = [
    path("", views.policy, name="policy"),
    path("versions/<str:label>/", views.policy, name="policy_version"),
    path("clause/<str:number>/", views.clause, name="clause"),
]
