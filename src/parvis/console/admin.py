"""Agents in the Django admin: an administrator manages accounts and their roles, but cannot
make anyone a superuser nor hand out single permissions outside the roles."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

User = get_user_model()


class AgentAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A superuser bypasses every role: only a superuser makes one.
            fields += ["is_superuser", "user_permissions"]
        return fields


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AgentAdmin)
