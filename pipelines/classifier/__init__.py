"""Learned message classifiers (intent, sentiment, deflection): features, training, the
versioned model files under ``models/``, loading and evaluation. Nothing runs at import."""
