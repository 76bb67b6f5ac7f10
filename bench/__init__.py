"""Benchmarks and the synthetic national-scale data they need; development only, never imported by the apps."""
