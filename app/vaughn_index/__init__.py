"""The agency's Vaughn index: import, column mapping and (to come) reconciliation."""
