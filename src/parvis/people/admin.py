from django.contrib import admin

from .models import DataSource, FactKey


@admin.register(FactKey)
class FactKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "value_type", "category"]
    list_filter = ["category", "value_type"]


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
