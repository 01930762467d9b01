"""Vaughn's Qt layer: widgets and models over ``app/``; it never writes SQL itself."""
