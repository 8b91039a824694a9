"""Email over SMTP (plain, STARTTLS or SSL); the password comes from the environment."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from collector.delivery.base import DeliveryError, Message, one_line
from collector.settings import EmailSettings


def build_email(message: Message, from_addr: str) -> EmailMessage:
    """A multipart/alternative UTF-8 message; headers are RFC 2047 encoded by the SMTP policy."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = one_line(message.subject, 300)
    msg["From"] = one_line(from_addr)
    msg["To"] = ", ".join(one_line(a) for a in message.to)
    msg["Date"] = formatdate(localtime=False)
    domain = from_addr.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=one_line(domain))
    msg.set_content(message.text, charset="utf-8")
    if message.html:
        msg.add_alternative(message.html, subtype="html", charset="utf-8")
    return msg


class SmtpChannel:
    name = "email"

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings

    def send(self, message: Message) -> None:
        s = self.settings
        if not message.to:
            raise DeliveryError("no email recipients: set [email].to (or [notify].to)")
        msg = build_email(message, s.from_addr)
        try:
            if s.security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            with conn:
                if s.security == "starttls":
                    conn.starttls(context=ssl.create_default_context())
                if s.user:
                    password = os.environ.get(s.password_env, "")
                    if not password:
                        raise DeliveryError(f"[email].user is set but {s.password_env} is empty")
                    conn.login(s.user, password)
                refused = conn.send_message(msg, from_addr=Address(addr_spec=s.from_addr).addr_spec)
        except DeliveryError:
            raise
        except (OSError, smtplib.SMTPException) as e:
            raise DeliveryError(f"smtp {s.host}:{s.port}: {type(e).__name__}: {str(e)[:200]}") from None
        if refused and len(refused) == len(message.to):
            raise DeliveryError(f"smtp {s.host}:{s.port}: every recipient was refused")
