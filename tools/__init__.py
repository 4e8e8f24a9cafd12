"""Tooling outside the product apps: training, evaluation, benchmarks."""
