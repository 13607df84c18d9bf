"""Celery application for production scale-out (CUSTOS_TASK_BACKEND=celery). See custos/tasks/celery_backend.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custos.settings")

app = Celery("custos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["custos.tasks"], related_name="celery_backend")
