"""Training of the analysis models from the evaluation corpora (set-up time only, never at run or test time)."""
