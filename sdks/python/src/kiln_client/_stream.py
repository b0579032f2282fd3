"""One streamed generation (generate_v1_start / chat_v1_start) as an async iterator of TokenChunk.

Events arrive as {"event": "started" | "tokens" | "done" | "error" | "stop"}; exactly one of the last
three ends the stream. ``cancel()``, leaving an ``async with`` block early, or cancelling the task that
iterates sends generate_v1_stop.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any, Deque, Dict, List, Optional

from .errors import KilnError, rpc_error
from .types import GenerationResult, Timings, TokenChunk, TokenLogprob, TopLogprob, Usage

if TYPE_CHECKING:
    from ._client import AsyncKilnClient


class GenerationStream:
    def __init__(self, client: "AsyncKilnClient") -> None:
        self._client = client
        self._queue: Deque[TokenChunk] = deque()
        self._wake = asyncio.Event()
        self._result: Optional[GenerationResult] = None
        self._error: Optional[KilnError] = None
        self._ended = asyncio.Event()
        self._subscription: Optional[str] = None
        self._cancel_requested = False
        self._texts: List[str] = []
        self._ids: List[int] = []
        self._model: Optional[str] = None
        self._prompt_tokens = 0

    @property
    def subscription(self) -> Optional[str]:
        """The subscription id, once the server has answered the start call."""
        return self._subscription

    @property
    def done(self) -> bool:
        return self._ended.is_set()

    # -- fed by the client --------------------------------------------------------------------

    def _attach(self, subscription: str) -> None:
        self._subscription = subscription
        if self._cancel_requested:
            self._client._spawn(self._send_stop())

    def _on_event(self, ev: Dict[str, Any]) -> None:
        if self.done:
            return
        kind = ev.get("event")
        if kind == "started":
            self._model = ev.get("model")
            self._prompt_tokens = int(ev.get("prompt_tokens", 0))
        elif kind == "tokens":
            lps = ev.get("logprobs")
            logprobs = (
                [
                    TokenLogprob(id=int(lp["id"]), logprob=float(lp["logprob"]), top=[TopLogprob(int(t["id"]), str(t["text"]), float(t["logprob"])) for t in lp.get("top", [])])
                    for lp in lps
                ]
                if isinstance(lps, list)
                else None
            )
            chunk = TokenChunk(text=str(ev.get("text", "")), ids=list(ev.get("ids", [])), logprobs=logprobs)
            self._texts.append(chunk.text)
            self._ids.extend(chunk.ids)
            self._queue.append(chunk)
            self._wake.set()
        elif kind == "done":
            u = ev.get("usage") or {}
            t = ev.get("timings")
            self._finish(
                GenerationResult(
                    text="".join(self._texts),
                    ids=list(self._ids),
                    finish_reason=str(ev.get("finish_reason", "stop")),
                    model=self._model,
                    usage=Usage(
                        prompt_tokens=int(u.get("prompt_tokens", self._prompt_tokens)),
                        completion_tokens=int(u.get("completion_tokens", len(self._ids))),
                        total_tokens=int(u.get("total_tokens", self._prompt_tokens + len(self._ids))),
                    ),
                    timings=Timings(
                        prompt_ms=float(t["prompt_ms"]),
                        generate_ms=float(t["generate_ms"]),
                        prompt_tokens_per_second=float(t["prompt_tokens_per_second"]),
                        generate_tokens_per_second=float(t["generate_tokens_per_second"]),
                    )
                    if t
                    else None,
                )
            )
        elif kind == "stop":
            self._finish(self._cancelled_result())
        elif kind == "error":
            self._fail(rpc_error(ev.get("error") or {"code": -32603, "message": "generation failed (no error object in the event)"}))
        # Unknown events are for newer clients; skip them.

    def _fail(self, error: KilnError) -> None:
        if self.done:
            return
        self._error = error
        self._ended.set()
        self._wake.set()

    def _finish(self, result: GenerationResult) -> None:
        self._result = result
        self._ended.set()
        self._wake.set()

    def _cancelled_result(self) -> GenerationResult:
        n = len(self._ids)
        return GenerationResult(
            text="".join(self._texts),
            ids=list(self._ids),
            finish_reason="cancelled",
            model=self._model,
            usage=Usage(self._prompt_tokens, n, self._prompt_tokens + n),
            timings=None,
        )

    async def _send_stop(self) -> None:
        try:
            await self._client.call("generate_v1_stop", {"subscription": self._subscription})
        except KilnError:
            pass  # the connection is gone: the stream has failed with that error already

    # -- public -------------------------------------------------------------------------------

    async def cancel(self) -> None:
        """Sends generate_v1_stop and waits for the stream to end (finish_reason "cancelled")."""
        if self.done:
            return
        self._cancel_requested = True
        if self._subscription is not None:
            await self._send_stop()
        await self._ended.wait()

    async def result(self) -> GenerationResult:
        """Waits for the end of the stream; raises the KilnError that ended it, if any."""
        await self._ended.wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    async def collect(self) -> GenerationResult:
        """Reads the whole stream and returns its result."""
        async for _ in self:
            pass
        return await self.result()

    def __aiter__(self) -> "GenerationStream":
        return self

    async def __anext__(self) -> TokenChunk:
        while True:
            if self._queue:
                return self._queue.popleft()
            if self.done:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            self._wake.clear()
            try:
                await self._wake.wait()
            except asyncio.CancelledError:
                # The task reading this stream was cancelled: stop the generation on the server too.
                self._cancel_requested = True
                if self._subscription is not None:
                    self._client._spawn(self._send_stop())
                raise

    async def __aenter__(self) -> "GenerationStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if not self.done:
            await self.cancel()
