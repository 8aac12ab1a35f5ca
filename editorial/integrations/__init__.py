"""Thin clients for the outside world: explicit timeouts, retryable versus terminal errors.

``wechat`` is the WeChat Official Account API (drafts and publishing); see
docs/decisions/0007-wechat-client.md. Services call these clients; nothing here touches the
database.
"""
