"""Test-only extraction providers and the building blocks of the pipeline tests."""
