"""Publisher for the local event router, which speaks the Pub/Sub REST publish call."""

from __future__ import annotations

import base64

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from common.errors import RetryableError
from common.ports import Publisher


class RouterPublisher(Publisher):
    def __init__(self, router_url: str, project: str) -> None:
        self.router_url = router_url.rstrip("/")
        self.project = project
        self._session: requests.Session | None = None

    @retry(
        retry=retry_if_exception_type(RetryableError),
        stop=stop_after_attempt(5),
        wait=wait_exponential(multiplier=0.1, max=2),
        reraise=True,
    )
    def publish(self, topic: str, data: bytes, attributes: dict[str, str] | None = None) -> str:
        if self._session is None:
            self._session = requests.Session()
        url = f"{self.router_url}/v1/projects/{self.project}/topics/{topic}:publish"
        body = {"messages": [{"data": base64.b64encode(data).decode(), "attributes": attributes or {}}]}
        try:
            response = self._session.post(url, json=body, timeout=10)
        except requests.RequestException as exc:
            raise RetryableError(f"event router unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise RetryableError(f"event router error {response.status_code}")
        if response.status_code >= 300:
            raise RuntimeError(f"publish to {topic} refused: {response.status_code} {response.text[:200]}")
        return str(response.json()["messageIds"][0])
