"""KilnClient: a small blocking wrapper of AsyncKilnClient for scripts and notebooks without asyncio.

It runs the async client on an event loop in a daemon thread; each call blocks until its answer.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any, Coroutine, Dict, Iterator, List, Mapping, Optional, Sequence, TypeVar, Union

from ._client import AsyncKilnClient
from ._stream import GenerationStream
from .types import GenerationResult, TokenChunk

T = TypeVar("T")


class SyncGenerationStream:
    """Iterate for TokenChunk; ``result()`` afterwards. Leaving the loop early cancels the generation."""

    def __init__(self, owner: "KilnClient", stream: GenerationStream) -> None:
        self._owner = owner
        self._stream = stream

    @property
    def done(self) -> bool:
        return self._stream.done

    def __iter__(self) -> Iterator[TokenChunk]:
        try:
            while True:
                try:
                    yield self._owner._run(self._stream.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            # break, return or an exception in the loop body: stop the generation on the server.
            if not self._stream.done:
                self.cancel()

    def result(self) -> GenerationResult:
        return self._owner._run(self._stream.result())

    def collect(self) -> GenerationResult:
        return self._owner._run(self._stream.collect())

    def cancel(self) -> None:
        self._owner._run(self._stream.cancel())

    def __enter__(self) -> "SyncGenerationStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self._stream.done:
            self.cancel()


class KilnClient:
    """``with KilnClient(url, api_key=...) as client:``; the same methods as AsyncKilnClient, blocking."""

    def __init__(self, url: str, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kiln-client", daemon=True)
        self._thread.start()
        self._client: AsyncKilnClient = self._run(self._make(url, options))
        try:
            self._run(self._client.connect())
        except BaseException:
            self._stop_loop()
            raise

    @staticmethod
    async def _make(url: str, options: Dict[str, Any]) -> AsyncKilnClient:
        return AsyncKilnClient(url, **options)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        fut: "Future[T]" = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return fut.result()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def state(self) -> str:
        return self._client.state

    def ready(self, timeout: float = 30.0) -> None:
        self._run(self._client.ready(timeout))

    def call(self, method: str, params: Any = None) -> Any:
        return self._run(self._client.call(method, params))

    def methods(self) -> List[str]:
        return self._run(self._client.methods())

    def models(self) -> List[Dict[str, Any]]:
        return self._run(self._client.models())

    def model_info(self, model: Optional[str] = None) -> Dict[str, Any]:
        return self._run(self._client.model_info(model))

    def tokenize(self, text: str, **options: Any) -> List[int]:
        return self._run(self._client.tokenize(text, **options))

    def detokenize(self, ids: Sequence[int], **options: Any) -> str:
        return self._run(self._client.detokenize(ids, **options))

    def generate(self, prompt: Union[str, Sequence[int]], **options: Any) -> SyncGenerationStream:
        return SyncGenerationStream(self, self._run(self._async(self._client.generate, prompt, **options)))

    def chat(self, messages: Sequence[Mapping[str, str]], **options: Any) -> SyncGenerationStream:
        return SyncGenerationStream(self, self._run(self._async(self._client.chat, messages, **options)))

    @staticmethod
    async def _async(fn: Any, *args: Any, **kw: Any) -> Any:
        # generate/chat start a task, so they must run on the client's loop.
        return fn(*args, **kw)

    def close(self) -> None:
        if not self._loop.is_running():
            return
        try:
            self._run(self._client.close())
        finally:
            self._stop_loop()

    def __enter__(self) -> "KilnClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
