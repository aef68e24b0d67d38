"""What the directory announces to the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the transaction after an organisation moved to another
# jurisdiction (kwargs: organization). Apps that store the organisation's
# jurisdiction chain on their own rows (dudao.core.scoping) update them.
organization_moved = Signal()
