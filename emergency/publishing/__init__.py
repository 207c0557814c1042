"""What leaves the bureau: published list versions, their comparison, alerts and dispatched county files."""
