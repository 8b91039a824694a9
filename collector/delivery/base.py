"""The Channel seam: one message, one `send`, raising DeliveryError when it did not go out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


class DeliveryError(RuntimeError):
    """The channel could not deliver; the message says why without secrets."""


@dataclass
class Message:
    """What a person receives: a subject, plain text and (for email) HTML."""

    subject: str
    text: str
    html: str = ""
    to: list[str] = field(default_factory=list)  # email recipients; chat channels ignore it

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Message:
        return cls(
            subject=data.get("subject", ""),
            text=data.get("text", ""),
            html=data.get("html", ""),
            to=list(data.get("to", [])),
        )


class Channel(Protocol):
    name: str  # "email", "chat"

    def send(self, message: Message) -> None:
        """Deliver the message or raise DeliveryError."""
        ...


def one_line(text: str, limit: int = 200) -> str:
    """A header-safe line: no CR/LF or other control characters, bounded length."""
    cleaned = "".join(" " if (ord(c) < 32 or ord(c) == 127 or c in "\u2028\u2029\x85") else c for c in text)
    cleaned = " ".join(cleaned.split())
    return cleaned[:limit]
