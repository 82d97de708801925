from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "revoked", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Keys are shown once, by the command: the admin cannot display a stored key.
        return False
