from django.contrib import admin

from .models import Appointment, Availability, Closure, Motive, OpeningHours, Place


class MotiveInline(admin.TabularInline):
    model = Motive
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class AvailabilityInline(admin.TabularInline):
    model = Availability
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "service", "active"]
    inlines = [MotiveInline, OpeningHoursInline, AvailabilityInline, ClosureInline]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["start", "place", "motive", "status", "source"]
    list_filter = ["place", "status"]
    raw_id_fields = ["person", "journey", "marked_by"]
    date_hierarchy = "start"
