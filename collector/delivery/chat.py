"""Chat (Slack, Teams, LINE, JSON webhooks …) through one Apprise URL. URLs hold tokens: never log them."""

from __future__ import annotations

import hashlib
import logging
import os

from collector.delivery.base import DeliveryError, Message

log = logging.getLogger("kikimimi.delivery")


def chat_urls(env_name: str) -> list[str]:
    """The Apprise URLs from the environment variable (space- or newline-separated)."""
    return os.environ.get(env_name, "").split()


def url_id(url: str) -> str:
    """A short stable name for a URL that reveals nothing of its token."""
    return hashlib.sha256(url.encode()).hexdigest()[:10]


class AppriseChannel:
    name = "chat"

    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, message: Message) -> None:
        import apprise

        logging.getLogger("apprise").setLevel(logging.ERROR)  # its messages may echo URLs
        ap = apprise.Apprise()
        if not ap.add(self.url):
            raise DeliveryError(f"chat url#{url_id(self.url)}: not a valid Apprise URL")
        ok = ap.notify(title=message.subject, body=message.text, body_format=apprise.NotifyFormat.TEXT)
        if not ok:
            raise DeliveryError(f"chat url#{url_id(self.url)}: the service did not accept the message")
