"""The review feature: page view with overlays, claims panel, challenge panel."""
