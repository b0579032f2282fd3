"""Results of kiln's JSON-RPC API as this client returns them (the wire format: server/rpc.ts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass(frozen=True)
class Timings:
    prompt_ms: float
    generate_ms: float
    prompt_tokens_per_second: float
    generate_tokens_per_second: float


@dataclass(frozen=True)
class TopLogprob:
    id: int
    text: str
    logprob: float


@dataclass(frozen=True)
class TokenLogprob:
    """A chosen token's log-probability and the top alternatives (most likely first)."""

    id: int
    logprob: float
    top: List[TopLogprob]


@dataclass(frozen=True)
class TokenChunk:
    """One streamed piece: the text of one or more tokens (``logprobs`` when asked for)."""

    text: str
    ids: List[int]
    logprobs: Optional[List[TokenLogprob]] = None


@dataclass(frozen=True)
class GenerationResult:
    """How a generation ended. A cancelled one has finish_reason "cancelled" and no timings."""

    text: str
    ids: List[int]
    finish_reason: str
    model: Optional[str]
    usage: Usage
    timings: Optional[Timings] = field(default=None)
