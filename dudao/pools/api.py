def register(router):
    """Add this app's API viewsets to the /api/v1/ router."""
