"""Portal pages of training (培训与资料), under /portal/training/ (names reached as portal:…)."""

from django.urls import path

from aftersales.portal import training

urlpatterns = [
    path("", training.training_page, name="training"),
    path("materials/<uuid:material_id>/download", training.material_download, name="training-material"),
]
