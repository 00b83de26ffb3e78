"""BigQuery beside the pipeline: the clients (for the service or a local emulator) and the emulator
that tests and `make bq-emulator` run."""
