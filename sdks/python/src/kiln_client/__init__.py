"""kiln-client: a WebSocket JSON-RPC client of the kiln LLM server (asyncio, plus a blocking wrapper).

See README.md for an example. Reference for the protocol: server/rpc.ts in the kiln repository.
"""

from ._client import AsyncKilnClient, rpc_url
from ._stream import GenerationStream
from ._sync import KilnClient, SyncGenerationStream
from .errors import KilnAuthError, KilnConnectionError, KilnError, KilnRPCError, RpcCode
from .types import GenerationResult, Timings, TokenChunk, TokenLogprob, TopLogprob, Usage

__all__ = [
    "AsyncKilnClient",
    "GenerationResult",
    "GenerationStream",
    "KilnAuthError",
    "KilnClient",
    "KilnConnectionError",
    "KilnError",
    "KilnRPCError",
    "RpcCode",
    "SyncGenerationStream",
    "Timings",
    "TokenChunk",
    "TokenLogprob",
    "TopLogprob",
    "Usage",
    "rpc_url",
]
