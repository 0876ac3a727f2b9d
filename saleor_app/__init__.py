"""Saleor App plumbing: manifest, registration, signed webhooks, inbox and the GraphQL client."""
