"""Every write of the subsidies app: statements (compute, confirm, pay, void)."""
