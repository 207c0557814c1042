"""Accounts: users and their operations, the password policy, login throttling, roles and row scoping."""
