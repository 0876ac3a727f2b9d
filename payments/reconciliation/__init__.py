"""Reconciliation of Stripe balance transactions with the ledger; closing accounting periods."""
