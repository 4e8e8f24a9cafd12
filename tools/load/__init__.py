"""The load run: analysts' reads at benchmark scale while ingestion runs (`make load`)."""
