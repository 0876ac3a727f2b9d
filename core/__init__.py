"""The bottom layer: what every app shares (business clock, …). Imports nothing from the apps above it."""
