from django.urls import path

from custos.sites import views

app_name = "sites"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("new/participation/", views.new, {"kind": "participation"}, name="new_participation"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/print/", views.printable, name="print"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/cover/", views.cover, name="cover"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("extensions/<int:pk>/decide/", views.decide_extension, name="decide_extension"),
    path("school/<int:school_id>/", views.school_inventory, name="inventory"),
    path("trust/", views.trust_inventory, name="trust_inventory"),
    path("platforms/", views.platforms, name="platforms"),
    path("platforms/new/", views.platform_edit, name="platform_new"),
    path("platforms/<int:pk>/", views.platform_edit, name="platform_edit"),
]
