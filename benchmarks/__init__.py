"""Benchmarks of brandcare: ``python -m benchmarks --size N`` (benchmarks/run.py)."""
