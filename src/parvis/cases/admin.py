from django.contrib import admin

from .models import Case, ReplyTemplate, Service, Tag


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "email", "sla_business_days"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "set_status"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "service", "status", "priority", "updated_at"]
    list_filter = ["status", "service", "channel"]
    search_fields = ["reference", "subject"]
    raw_id_fields = ["person", "assignee", "merged_into"]
