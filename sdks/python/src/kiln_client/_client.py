"""AsyncKilnClient: one WebSocket to a kiln server (``kiln serve``) speaking its JSON-RPC 2.0 API.

Methods model_v1_*, tokenizer_v1_*, generate_v1_*, chat_v1_start (reference: server/rpc.ts in the
kiln repository). The API key goes in the Authorization header. A lost connection fails what it
carried with KilnConnectionError and is reopened in the background with exponential backoff; an auth
failure is final.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union
from urllib.parse import urlsplit, urlunsplit

from ._stream import GenerationStream
from .errors import KilnAuthError, KilnConnectionError, KilnError, RpcCode, rpc_error

try:  # websockets >= 13: the new asyncio implementation
    from websockets.asyncio.client import connect as _ws_connect  # type: ignore[import-not-found]

    _HEADERS_KW = "additional_headers"
except ImportError:  # websockets 10.x-12.x (Debian bookworm ships 10.4)
    from websockets.legacy.client import connect as _ws_connect  # type: ignore[no-redef]

    _HEADERS_KW = "extra_headers"

Json = Any
_OnResult = Optional[Callable[[Json], None]]


def rpc_url(url: str) -> str:
    """ws:// or wss:// URL of the JSON-RPC endpoint; http(s) URLs and bare host:port are accepted."""
    if "://" not in url:
        url = "ws://" + url
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None:
        raise KilnError(f"kiln URL {url}: scheme {parts.scheme} is not ws, wss, http or https")
    path = parts.path if parts.path not in ("", "/") else "/ws"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def _params(**kw: Any) -> Dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


class AsyncKilnClient:
    """Use ``async with AsyncKilnClient(url, api_key=...) as client:`` or ``await client.connect()``."""

    def __init__(
        self,
        url: str,
        *,
        api_key: Optional[str] = None,
        connect_timeout: float = 10.0,
        reconnect: bool = True,
        reconnect_initial_delay: float = 0.1,
        reconnect_max_delay: float = 5.0,
        reconnect_max_attempts: Optional[int] = None,
    ) -> None:
        self.url = rpc_url(url)
        self._api_key = api_key
        self._connect_timeout = connect_timeout
        self._reconnect = reconnect
        self._initial_delay = reconnect_initial_delay
        self._max_delay = reconnect_max_delay
        self._max_attempts = reconnect_max_attempts
        self._ws: Any = None
        self._state = "closed"
        self._ids = itertools.count(1)
        # id -> (future, hook, the socket it was sent on)
        self._pending: Dict[int, Tuple[asyncio.Future, _OnResult, Any]] = {}
        self._streams: Dict[str, GenerationStream] = {}
        self._tasks: Set[asyncio.Task] = set()
        self._reader: Optional[asyncio.Task] = None
        self._reconnector: Optional[asyncio.Task] = None
        self._last_error: Optional[KilnError] = None
        self._opened: Optional[asyncio.Event] = None  # created on the running loop in connect()
        self._closing = False

    # -- connection ---------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """"open", "reconnecting" or "closed"."""
        return self._state

    async def connect(self) -> "AsyncKilnClient":
        """Opens the connection and checks the key (rpc_methods).

        Raises KilnAuthError for a wrong key and KilnConnectionError when the server cannot be reached.
        """
        self._opened = asyncio.Event()
        self._closing = False
        await self._open()
        self._state = "open"
        self._opened.set()
        return self

    async def __aenter__(self) -> "AsyncKilnClient":
        return await self.connect()

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def ready(self, timeout: float = 30.0) -> None:
        """Waits until the connection is open (again); raises KilnConnectionError after ``timeout`` s."""
        if self._state == "open":
            return
        if self._state == "closed" or self._opened is None:
            raise self._last_error or KilnConnectionError("the client is closed")
        try:
            await asyncio.wait_for(self._opened.wait(), timeout)
        except asyncio.TimeoutError:
            raise KilnConnectionError(f"no connection to {self.url} within {timeout} s; last error: {self._last_error}") from None
        if self._state != "open":
            raise self._last_error or KilnConnectionError("the client is closed")

    async def close(self) -> None:
        """Closes the connection; running streams fail with KilnConnectionError. No reconnect follows."""
        self._closing = True
        self._state = "closed"
        if self._reconnector is not None:
            self._reconnector.cancel()
        ws, self._ws = self._ws, None
        self._drop_all(KilnConnectionError("the client was closed"))
        if self._opened is not None:
            self._opened.set()  # wake ready() waiters; they see state "closed"
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(), 2.0)
            except Exception:
                pass
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        for t in list(self._tasks):
            t.cancel()

    async def _open(self) -> None:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key is not None else {}
        self._last_error = None
        try:
            ws = await asyncio.wait_for(
                _ws_connect(self.url, subprotocols=["kiln.v1"], open_timeout=self._connect_timeout, max_size=16 << 20, **{_HEADERS_KW: headers}),
                self._connect_timeout,
            )
        except asyncio.TimeoutError:
            raise KilnConnectionError(f"cannot connect to {self.url}: no answer within {self._connect_timeout} s") from None
        except Exception as e:  # OSError subclasses, websockets' InvalidHandshake / InvalidURI
            if isinstance(e, KilnError):
                raise
            raise KilnConnectionError(f"cannot connect to {self.url}: {e}") from e
        self._reader = asyncio.ensure_future(self._read(ws))
        try:
            await asyncio.wait_for(self._send(ws, "rpc_methods", None), self._connect_timeout)
        except asyncio.TimeoutError:
            await self._abandon(ws)
            raise KilnConnectionError(f"{self.url} did not answer rpc_methods within {self._connect_timeout} s") from None
        except KilnError as e:
            await self._abandon(ws)
            # The server says why it refused before it closes: prefer that to the close itself.
            raise self._last_error if isinstance(self._last_error, KilnAuthError) else e
        # Only an established connection is reopened when it drops.
        self._ws = ws

    async def _abandon(self, ws: Any) -> None:
        if self._ws is ws:
            self._ws = None
        try:
            await asyncio.wait_for(ws.close(), 1.0)
        except Exception:
            pass

    async def _read(self, ws: Any) -> None:
        try:
            async for raw in ws:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                for m in msg if isinstance(msg, list) else [msg]:
                    if isinstance(m, dict):
                        self._dispatch(ws, m)
        except Exception:
            pass  # ConnectionClosed and friends: handled below like a clean close
        code = getattr(ws, "close_code", None)
        self._on_close(ws, code)

    def _dispatch(self, ws: Any, m: Mapping[str, Any]) -> None:
        if m.get("method") == "generate_v1_event":
            p = m.get("params") or {}
            stream = self._streams.get(p.get("subscription"))
            if stream is not None and isinstance(p.get("result"), dict):
                stream._on_event(p["result"])
            return
        mid = m.get("id")
        if isinstance(mid, int):
            entry = self._pending.pop(mid, None)
            if entry is None:
                return
            fut, on_result, _ = entry
            if fut.done():
                return
            if m.get("error") is not None:
                fut.set_exception(rpc_error(m["error"]))
            else:
                if on_result is not None:
                    on_result(m.get("result"))
                fut.set_result(m.get("result"))
            return
        # id null: an error about the connection itself. Unauthorized ends it (the server closes next).
        err = m.get("error")
        if isinstance(err, dict) and err.get("code") == RpcCode.UNAUTHORIZED:
            self._last_error = rpc_error(err)
            if ws is self._ws:
                self._drop_all(self._last_error)
            else:
                for mid, (fut, _, sock) in list(self._pending.items()):
                    if sock is ws:
                        del self._pending[mid]
                        if not fut.done():
                            fut.set_exception(self._last_error)

    def _on_close(self, ws: Any, code: Optional[int]) -> None:
        if self._ws is not ws:
            # A connection that never finished opening: fail its handshake call.
            for mid, (fut, _, sock) in list(self._pending.items()):
                if sock is ws:
                    del self._pending[mid]
                    if not fut.done():
                        fut.set_exception(self._last_error or KilnConnectionError(f"{self.url} closed the connection while opening (code {code})"))
            return
        self._ws = None
        if self._closing:
            return
        err = self._last_error if isinstance(self._last_error, KilnAuthError) else KilnConnectionError(f"connection to {self.url} lost (code {code})")
        self._last_error = err
        self._drop_all(err)
        if not self._reconnect or isinstance(err, KilnAuthError):
            self._state = "closed"
            if self._opened is not None:
                self._opened.set()
            return
        self._state = "reconnecting"
        if self._opened is not None:
            self._opened.clear()
        self._reconnector = asyncio.ensure_future(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        attempt = 0
        while not self._closing:
            if self._max_attempts is not None and attempt >= self._max_attempts:
                self._last_error = KilnConnectionError(f"gave up reconnecting to {self.url} after {attempt} attempts; last error: {self._last_error}")
                break
            # Exponential backoff with jitter, so many clients do not return at the same instant.
            base = min(self._max_delay, self._initial_delay * (2 ** attempt))
            await asyncio.sleep(base / 2 + random.random() * base / 2)
            attempt += 1
            try:
                await self._open()
            except KilnAuthError as e:
                self._last_error = e
                break
            except KilnError as e:
                self._last_error = e
                continue
            if self._closing:
                return
            self._state = "open"
            assert self._opened is not None
            self._opened.set()
            return
        self._state = "closed"
        if self._opened is not None:
            self._opened.set()

    def _drop_all(self, err: KilnError) -> None:
        pending, self._pending = self._pending, {}
        for fut, _, _ in pending.values():
            if not fut.done():
                fut.set_exception(err)
        streams, self._streams = self._streams, {}
        for s in streams.values():
            s._fail(err)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        t = asyncio.ensure_future(coro)
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    async def _send(self, ws: Any, method: str, params: Any, on_result: _OnResult = None) -> Any:
        mid = next(self._ids)
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[mid] = (fut, on_result, ws)
        msg: Dict[str, Any] = {"jsonrpc": "2.0", "id": mid, "method": method}
        if params is not None:
            msg["params"] = params
        try:
            await ws.send(json.dumps(msg))
        except Exception as e:
            self._pending.pop(mid, None)
            if isinstance(self._last_error, KilnAuthError):
                raise self._last_error from None
            raise KilnConnectionError(f"sending {method} to {self.url} failed: {e}") from e
        return await fut

    # -- API ----------------------------------------------------------------------------------

    async def call(self, method: str, params: Any = None, *, _on_result: _OnResult = None) -> Any:
        """Sends any JSON-RPC method; returns its result or raises KilnRPCError / KilnConnectionError."""
        ws = self._ws
        if self._state != "open" or ws is None:
            last = f"; last error: {self._last_error}" if self._last_error else ""
            raise KilnConnectionError(f"not connected to {self.url} ({self._state}{last}); await client.ready() after a drop")
        return await self._send(ws, method, params, _on_result)

    async def methods(self) -> List[str]:
        return list((await self.call("rpc_methods"))["methods"])

    async def models(self) -> List[Dict[str, Any]]:
        return list(await self.call("model_v1_list"))

    async def model_info(self, model: Optional[str] = None) -> Dict[str, Any]:
        return dict(await self.call("model_v1_info", _params(model=model)))

    async def tokenize(self, text: str, *, add_special: Optional[bool] = None, parse_special: Optional[bool] = None, model: Optional[str] = None) -> List[int]:
        r = await self.call("tokenizer_v1_encode", _params(text=text, add_special=add_special, parse_special=parse_special, model=model))
        return list(r["ids"])

    async def detokenize(self, ids: Sequence[int], *, special: Optional[bool] = None, model: Optional[str] = None) -> str:
        r = await self.call("tokenizer_v1_decode", _params(ids=list(ids), special=special, model=model))
        return str(r["text"])

    def generate(
        self,
        prompt: Union[str, Sequence[int]],
        *,
        max_tokens: Optional[int] = None,
        temperature: Optional[float] = None,
        top_p: Optional[float] = None,
        top_k: Optional[int] = None,
        min_p: Optional[float] = None,
        seed: Optional[int] = None,
        stop: Union[str, Sequence[str], None] = None,
        presence_penalty: Optional[float] = None,
        frequency_penalty: Optional[float] = None,
        repeat_penalty: Optional[float] = None,
        logit_bias: Optional[Mapping[int, float]] = None,
        logprobs: Optional[int] = None,
        model: Optional[str] = None,
    ) -> GenerationStream:
        """Streams a completion of ``prompt`` (text, or token ids). Temperature 0 is greedy; the server's default is 1."""
        p = _params(
            max_tokens=max_tokens, temperature=temperature, top_p=top_p, top_k=top_k, min_p=min_p, seed=seed,
            stop=stop if stop is None or isinstance(stop, str) else list(stop), presence_penalty=presence_penalty,
            frequency_penalty=frequency_penalty, repeat_penalty=repeat_penalty,
            logit_bias={str(k): v for k, v in logit_bias.items()} if logit_bias else None, logprobs=logprobs, model=model,
        )
        p["prompt"] = prompt if isinstance(prompt, str) else list(prompt)
        return self._start("generate_v1_start", p)

    def chat(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        max_tokens: Optional[int] = None,
        temperature: Optional[float] = None,
        top_p: Optional[float] = None,
        top_k: Optional[int] = None,
        min_p: Optional[float] = None,
        seed: Optional[int] = None,
        stop: Union[str, Sequence[str], None] = None,
        presence_penalty: Optional[float] = None,
        frequency_penalty: Optional[float] = None,
        repeat_penalty: Optional[float] = None,
        logit_bias: Optional[Mapping[int, float]] = None,
        logprobs: Optional[bool] = None,
        top_logprobs: Optional[int] = None,
        model: Optional[str] = None,
    ) -> GenerationStream:
        """Streams a chat reply; the model's chat template turns ``messages`` ({role, content}) into its prompt."""
        p = _params(
            max_tokens=max_tokens, temperature=temperature, top_p=top_p, top_k=top_k, min_p=min_p, seed=seed,
            stop=stop if stop is None or isinstance(stop, str) else list(stop), presence_penalty=presence_penalty,
            frequency_penalty=frequency_penalty, repeat_penalty=repeat_penalty,
            logit_bias={str(k): v for k, v in logit_bias.items()} if logit_bias else None, logprobs=logprobs,
            top_logprobs=top_logprobs, model=model,
        )
        p["messages"] = [dict(m) for m in messages]
        return self._start("chat_v1_start", p)

    def _start(self, method: str, params: Dict[str, Any]) -> GenerationStream:
        stream = GenerationStream(self)

        def attach(sub: Json) -> None:
            # Runs in the reader before the next message, so no event of this subscription is missed.
            self._streams[str(sub)] = stream
            stream._attach(str(sub))

        async def start() -> None:
            try:
                await self.call(method, params, _on_result=attach)
            except KilnError as e:
                stream._fail(e)
                return
            await stream._ended.wait()
            self._streams.pop(stream.subscription or "", None)

        self._spawn(start())
        return stream
