from django.urls import path

from custos.staff import views

urlpatterns = [
    path("declarations/", views.declarations, name="staff_declarations"),
    path("schools/<int:school_id>/declarations/", views.school_declarations, name="staff_school_declarations"),
    path("people/", views.people, name="staff_people"),
    path("people/<int:user_id>/leaving/", views.leaving, name="staff_leaving"),
    path("personal-check/", views.personal_check, name="staff_personal_check"),
    path("screen/", views.screen_json, name="staff_screen"),
    path("posts/", views.posts, name="staff_posts"),
    path("posts/new/<int:site_id>/", views.post_new, name="staff_post_new"),
    path("posts/<int:pk>/", views.post_detail, name="staff_post"),
    path("posts/<int:pk>/edit/", views.post_edit, name="staff_post_edit"),
]
