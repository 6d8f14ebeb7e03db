"""Re-export: the gateway's settings live with every other settings class in ``pipeline.config``."""

from pipeline.config.gateway import GatewaySettings

__all__ = ["GatewaySettings"]
