from django.contrib import admin

from .models import PendingRequest, PortalAccount


@admin.register(PortalAccount)
class PortalAccountAdmin(admin.ModelAdmin):
    list_display = ["email", "person", "email_verified_at", "created_at"]
    search_fields = ["email"]
    raw_id_fields = ["user", "person"]


@admin.register(PendingRequest)
class PendingRequestAdmin(admin.ModelAdmin):
    list_display = ["email", "subject", "created_at", "confirmed_at", "case"]
    search_fields = ["email", "subject"]
    raw_id_fields = ["case"]
