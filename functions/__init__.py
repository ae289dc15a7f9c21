"""Cloud Function sources: each folder is deployed with `common` beside its main.py."""
