"""Tooling apart from the product apps: checks, benchmarks, training and evaluation commands."""
