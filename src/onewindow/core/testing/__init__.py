"""Test support shared by every app (imported by tests only, never by the running platform)."""
