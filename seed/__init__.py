"""Seed data (CSV files under data/) and the idempotent loaders that read them."""
