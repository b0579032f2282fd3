"""Typed errors of the kiln client.

The JSON-RPC codes are the server's table (server/errors.ts in the kiln repository): -32700..-32603
from JSON-RPC 2.0, -32001, -32002, -32006, -32007 and -32009 kiln's own.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional


class RpcCode:
    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    INTERNAL_ERROR = -32603
    UNAUTHORIZED = -32001
    SHUTTING_DOWN = -32002
    TOO_MANY_SUBSCRIPTIONS = -32006
    MESSAGE_TOO_LARGE = -32007
    QUEUE_FULL = -32009


class KilnError(Exception):
    """Base class: every error this package raises is a KilnError."""


class KilnRPCError(KilnError):
    """The server answered with a JSON-RPC error object; ``code`` is one of RpcCode."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    @property
    def param(self) -> Optional[str]:
        """The parameter the server named (invalid-params errors carry it in data.param)."""
        if isinstance(self.data, Mapping) and isinstance(self.data.get("param"), str):
            return self.data["param"]
        return None

    def __str__(self) -> str:
        return f"{self.message} (JSON-RPC code {self.code})"


class KilnAuthError(KilnRPCError):
    """The API key is missing, mistyped or revoked (code -32001); the server closes the connection."""


class KilnConnectionError(KilnError, ConnectionError):
    """The connection could not be opened, or it was lost; the request or stream it carried is gone."""


def rpc_error(obj: Mapping[str, Any]) -> KilnRPCError:
    code = int(obj.get("code", RpcCode.INTERNAL_ERROR))
    message = str(obj.get("message", "error without a message"))
    cls = KilnAuthError if code == RpcCode.UNAUTHORIZED else KilnRPCError
    return cls(code, message, obj.get("data"))
