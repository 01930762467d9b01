"""redactions package."""
