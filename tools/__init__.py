"""Tooling kept apart from the product apps: training, evaluation, benchmarks."""
