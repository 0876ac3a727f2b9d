"""Saleor payment app for Stripe: Transactions API sync webhooks in, Stripe webhooks reported back."""
