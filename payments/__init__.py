"""Stripe gateway, split engine, ledger, settlement and reconciliation."""
