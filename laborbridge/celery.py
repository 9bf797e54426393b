"""The Celery application; workers start with ``celery -A laborbridge worker``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laborbridge.settings")

app = Celery("laborbridge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["laborbridge.imports"])
# The beat task that recovers runs whose worker died, and the heartbeat signal handlers.
app.autodiscover_tasks(["laborbridge"], related_name="background")
# The poverty-monitoring export's run task lives beside its service (placement.poverty_export).
app.autodiscover_tasks(["placement"], related_name="poverty_export")
