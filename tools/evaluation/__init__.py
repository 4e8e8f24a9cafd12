"""Scoring the language analysis: the seed acceptance figures, PolNeAR attributions, Emergent stance and matching."""
