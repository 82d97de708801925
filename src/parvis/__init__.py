"""Parvis: citizen relationship platform for French public administrations."""

from .celery import app as celery_app

__all__ = ["celery_app"]
