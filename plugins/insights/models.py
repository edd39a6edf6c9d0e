"""Insights keeps no data of its own; this model only carries its permission."""
from django.db import models


class Dashboard(models.Model):
    """No table: the holder of ``insights.view_insights``, which the Editors
    and Moderators groups get by a data migration."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_insights", "Can see the Insights dashboard")]
