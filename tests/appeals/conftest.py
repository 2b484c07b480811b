"""Appeal fixtures live in tests/conftest.py (councils use them too)."""
