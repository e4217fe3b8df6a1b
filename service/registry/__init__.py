"""Speakers across articles: name normalisation, aliases and resolution rules (pure)."""
