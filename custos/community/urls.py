from django.urls import path

from custos.community import views

app_name = "community"
urlpatterns = [
    path("", views.my_spaces, name="mine"),
    path("rules/", views.our_rules, name="rules"),
    path("help/", views.help_anywhere, name="help_anywhere"),
    path("<int:pk>/", views.space, name="space"),
    path("<int:pk>/contribute/", views.contribute, name="contribute"),
    path("<int:pk>/terms/", views.accept_terms, name="accept_terms"),
    path("<int:pk>/help/", views.help_page, name="help"),
    path("<int:pk>/feed.json", views.feed_json, name="feed_json"),
    path("<int:pk>/join/", views.join, name="join"),
    path("<int:pk>/members/", views.members, name="members"),
    path("<int:pk>/members/invite/", views.invite, name="invite"),
    path("<int:pk>/members/<int:mid>/<str:what>/", views.member_action, name="member_action"),
    path("<int:pk>/c/<int:cid>/", views.contribution, name="contribution"),
    path("<int:pk>/c/<int:cid>/image/", views.image, name="image"),
    path("<int:pk>/c/<int:cid>/report/", views.report, name="report"),
]
