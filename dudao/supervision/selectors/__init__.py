"""Every read of the supervision app, scoped to the user (supervision.permissions)."""
