"""The reduction list: rules, listing, accounting, the quality check, the gate before anything official, orders,
obligations, exports and the 说明 sheet's notes."""
