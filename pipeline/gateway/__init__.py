"""An OpenAI-compatible HTTP gateway onto the bus (``prompt-dlp gateway``).

Any application that speaks Chat Completions gets DLP by changing its base URL:
the gateway publishes each request as an inbound event and answers from the
correlated ``prompts.responses`` / ``prompts.quarantine`` / ``prompts.dlq``
record. See ``replies.py`` for the request-reply pattern and its trade-offs.
"""
