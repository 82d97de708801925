from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.imports, name="imports"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/<int:job_id>/", views.import_detail, name="import-detail"),
    path("imports/<int:job_id>/progress/", views.import_progress, name="import-progress"),
    path("imports/<int:job_id>/run/", views.import_run, name="import-run"),
    path("profiles/", views.profiles, name="profiles"),
    path("profiles/<int:profile_id>/", views.profile_edit, name="profile-edit"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:candidate_id>/", views.review_detail, name="review-detail"),
    path("duplicates/find/", views.find_duplicates_view, name="find-duplicates"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge-undo"),
]
