"""Training the learned models the analysis ships (weights under claims/analysis/data/)."""
