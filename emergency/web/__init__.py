"""Blueprints: thin views that parse, call one domain function and render."""
