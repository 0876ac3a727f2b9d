"""Unit-scoped listings, cultural provenance, images and sync to Saleor."""
