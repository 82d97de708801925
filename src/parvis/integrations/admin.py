from django.contrib import admin

from .models import Connector, ConnectorCall, LinkageModel, MappingProfile


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    list_display = ["name", "base_url", "recipient", "requests_per_second", "cache_seconds"]


@admin.register(ConnectorCall)
class ConnectorCallAdmin(admin.ModelAdmin):
    list_display = ["at", "connector", "endpoint", "purpose", "user", "outcome", "status_code"]
    list_filter = ["connector", "outcome"]

    def has_change_permission(self, request, obj=None):
        return False  # the record of a call is not edited


@admin.register(MappingProfile)
class MappingProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "source"]


admin.site.register(LinkageModel)
