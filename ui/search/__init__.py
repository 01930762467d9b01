"""Search: the results list, its hit count and bulk actions on all results."""
