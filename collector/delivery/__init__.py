"""Delivery: the daily digest (digest.py) and immediate notices (notices.py) over channels.

Channels (base.Channel, `send(message)`): smtp.py (email) and chat.py (any Apprise URL:
Slack, Teams, LINE, json:// webhooks). Add one by writing a file with a class that has
`name` and `send`, and naming it in `outbox.channel_for`. Every message goes through the
outbox (outbox.py): recorded as a Delivery row, retried with backoff, never sent twice.
Templates are data files in templates/ (Jinja2, HTML autoescaped).
"""
