"""Benchmarks: the scale benchmark (API and pages at a million claims) and the ingestion benchmark."""
