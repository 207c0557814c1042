"""Staggered production (错峰生产): seasonal regimes by rule, and how they meet the alert list."""
