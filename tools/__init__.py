"""Tooling around the product: benchmarks, the data generator, evaluation, training, distillation, load, audit."""
