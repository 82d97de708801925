from django.conf import settings


def console(request):
    return {"PARVIS_INSTANCE_NAME": getattr(settings, "PARVIS_INSTANCE_NAME", "Parvis")}
