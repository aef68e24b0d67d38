"""What training announces to the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the confirmation's transaction for each trainee the city has
# confirmed as passed (kwargs: actor, member). The pools app admits them to the
# city pool (policy 四(三): 考核合格的人员进入市级社会工作督导人才库).
member_passed = Signal()
