from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST


@login_required
def notification_list(request):
    page = Paginator(request.user.notifications.all(), 25).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page_obj": page, "querystring": ""})


@login_required
@require_POST
def notification_read(request):
    """Mark one notice (and follow its link) or all notices as read."""
    notices = request.user.notifications.filter(read_at=None)
    if pk := request.POST.get("pk"):
        notice = request.user.notifications.filter(pk=pk).first()
        notices.filter(pk=pk).update(read_at=timezone.now())
        if notice and notice.link.startswith("/"):
            return redirect(notice.link)
    else:
        notices.update(read_at=timezone.now())
    return redirect("core:notification_list")
