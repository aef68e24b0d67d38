from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .notifications import mark_read
from .selectors import notifications_for


@login_required
def notification_list(request):
    page = Paginator(notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page_obj": page, "querystring": ""})


@login_required
@require_POST
def notification_read(request):
    """Mark one notice (and follow its link) or all notices as read."""
    pk = request.POST.get("pk")
    notice = mark_read(actor=request.user, pk=pk or None)
    if notice and notice.link.startswith("/"):
        return redirect(notice.link)
    return redirect("core:notification_list")
