"""Agents in the Django admin: an administrator manages accounts and their roles, but cannot
make anyone a superuser, hand out single permissions outside the roles, nor reach the
access log: who belongs to the DPO role, and which role may read the log, is a superuser's
decision (separation of duties: those the log watches do not choose who reads it)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from . import roles

User = get_user_model()

# The access log's app: its permissions go with the DPO role only.
WATCHDOG_APP = "audit"


class AgentAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A superuser bypasses every role: only a superuser makes one.
            fields += ["is_superuser", "user_permissions"]
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.exclude(name=roles.DPO)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # The DPO role is not in the form of a non-superuser: keep it as it was.
        kept = []
        if change and not request.user.is_superuser:
            kept = list(form.instance.groups.filter(name=roles.DPO))
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.groups.add(*kept)


class RoleAdmin(GroupAdmin):
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.name == roles.DPO and not request.user.is_superuser:
            return False  # shown read-only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.name == roles.DPO and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.remote_field.model.objects.exclude(
                content_type__app_label=WATCHDOG_APP
            ).select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


for model, model_admin in ((User, AgentAdmin), (Group, RoleAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
