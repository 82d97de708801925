from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .forms import AccessLogSearchForm
from .services import search_access_log


@login_required
@permission_required("audit.search_accesslog", raise_exception=True)
def access_log(request):
    form = AccessLogSearchForm(request.GET or None)
    entries = search_access_log(**form.cleaned_data) if form.is_valid() else search_access_log()
    page = Paginator(entries.select_related(None), 50).get_page(request.GET.get("page"))
    return render(request, "audit/access_log.html", {"nav": "audit", "form": form, "page": page})
