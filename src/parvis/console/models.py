from django.db import models


class Heartbeat(models.Model):
    """The last time a background process proved it was alive (worker via beat)."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
