"""The Publisher port on Pub/Sub (google-cloud-pubsub), in the cloud and against the emulator.

``publish`` waits for the message's future: it returns only once Pub/Sub has accepted the message
(and raises otherwise), so a function never acknowledges its own event while the message it owes the
next stage is still in a client buffer. Transient failures become :class:`RetryableError` and the
platform redelivers the event that caused the publish.

The client is built on first use and cached. Against the emulator (``PUBSUB_EMULATOR_HOST``) it talks
over an insecure gRPC channel to that loopback address, without credentials.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from common.errors import RetryableError
from common.ports import Publisher

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient

PUBLISH_TIMEOUT_SECONDS = 60.0


def publisher_client(emulator_host: str | None) -> PublisherClient:
    from google.cloud import pubsub_v1

    if not emulator_host:
        return pubsub_v1.PublisherClient()
    import grpc
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

    transport = PublisherGrpcTransport(channel=grpc.insecure_channel(emulator_host))
    return pubsub_v1.PublisherClient(transport=transport)


class PubSubPublisher(Publisher):
    def __init__(self, project: str, *, emulator_host: str | None = None) -> None:
        self.project = project
        self.emulator_host = emulator_host
        self._client_: PublisherClient | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PubSubPublisher(project={self.project!r}, emulator_host={self.emulator_host!r})"

    def _client(self) -> PublisherClient:
        with self._lock:
            if self._client_ is None:
                self._client_ = publisher_client(self.emulator_host)
            return self._client_

    def publish(self, topic: str, data: bytes, attributes: dict[str, str] | None = None) -> str:
        from google.api_core import exceptions as gexc

        client = self._client()
        path = client.topic_path(self.project, topic)
        future: Any = client.publish(path, data, **(attributes or {}))
        try:
            return str(future.result(timeout=PUBLISH_TIMEOUT_SECONDS))
        except gexc.NotFound as exc:
            raise RuntimeError(f"topic {path} does not exist") from exc
        except (gexc.GoogleAPICallError, gexc.RetryError, TimeoutError) as exc:
            raise RetryableError(f"publish to {topic} failed: {exc}", "bus_unavailable") from exc
        except Exception as exc:
            if type(exc).__name__ == "TimeoutError":  # concurrent.futures.TimeoutError on older Pythons
                raise RetryableError(f"publish to {topic} timed out", "bus_unavailable") from exc
            raise

    def close(self) -> None:
        """Flush and stop the client's batching thread (tests and benchmarks)."""
        with self._lock:
            if self._client_ is not None:
                self._client_.stop()
                self._client_ = None
