"""The Compare versions and Statistics windows (issue 8: rolling productions)."""
