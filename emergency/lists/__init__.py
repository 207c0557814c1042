"""The reduction list: rules, listing, accounting, the quality check, orders, obligations and exports."""
