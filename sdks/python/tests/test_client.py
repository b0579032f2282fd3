"""kiln-client against a real ``kiln serve`` (stories260K on loopback).

Greedy text equal to llama.cpp's golden continuation, incremental streaming, cancellation, typed
auth / RPC / connection errors, reconnect after the server returns, the blocking wrapper, and the
README's example run as written.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from kiln_client import (  # noqa: E402
    AsyncKilnClient,
    KilnAuthError,
    KilnClient,
    KilnConnectionError,
    KilnRPCError,
    RpcCode,
)

from .kiln_server import SDK_ROOT, KilnHome, Server, greedy_golden  # noqa: E402

G = greedy_golden()
# A generation long enough to still be running when the client acts on its first tokens (stories260K's
# context is 512 tokens).
LONG = 500
home: KilnHome
server: Server


def golden_text(n: int) -> str:
    return "".join(G["generated_pieces"][:n])


def setUpModule() -> None:
    global home, server
    home = KilnHome()
    server = Server(home)


def tearDownModule() -> None:
    server.kill(signal.SIGTERM)
    home.remove()


class AsyncClientTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.client = await AsyncKilnClient(server.url, api_key=home.api_key).connect()

    async def asyncTearDown(self) -> None:
        await self.client.close()

    async def test_models_tokenize_detokenize_like_llama_cpp(self) -> None:
        models = await self.client.models()
        self.assertEqual(len(models), 1)
        self.assertEqual(models[0]["architecture"], "llama")
        info = await self.client.model_info(models[0]["id"])
        self.assertEqual((info["vocab_size"], info["bos"]), (512, 1))
        self.assertEqual(await self.client.tokenize(G["prompt"]), G["prompt_token_ids"])
        # llama.cpp's ids without the BOS it adds (id 1).
        self.assertEqual(await self.client.tokenize(G["prompt"], add_special=False), G["prompt_token_ids"][1:])
        self.assertEqual(await self.client.detokenize(G["generated_token_ids"][:30]), golden_text(30))
        self.assertIn("generate_v1_start", await self.client.methods())

    async def test_generate_at_temperature_0_gives_the_golden_text(self) -> None:
        stream = self.client.generate(G["prompt"], max_tokens=40, temperature=0)
        pieces = [chunk.text async for chunk in stream]
        r = await stream.result()
        self.assertEqual("".join(pieces), golden_text(40))
        self.assertEqual(r.text, golden_text(40))
        self.assertEqual(r.ids, G["generated_token_ids"][:40])
        self.assertEqual(r.finish_reason, "length")
        self.assertEqual((r.usage.prompt_tokens, r.usage.completion_tokens, r.usage.total_tokens), (5, 40, 45))
        self.assertIsNotNone(r.timings)
        assert r.timings is not None
        self.assertGreater(r.timings.generate_ms, 0)

    async def test_logprobs_put_the_greedy_token_on_top(self) -> None:
        chunks = [c async for c in self.client.generate(G["prompt"], max_tokens=4, temperature=0, logprobs=2)]
        self.assertEqual([i for c in chunks for i in c.ids], G["generated_token_ids"][:4])
        for c in chunks:
            assert c.logprobs is not None
            lp = c.logprobs[0]
            self.assertEqual(lp.id, c.ids[0])
            self.assertEqual(lp.top[0].id, c.ids[0])
            self.assertEqual(len(lp.top), 2)
            self.assertLessEqual(lp.top[1].logprob, lp.top[0].logprob)
            self.assertLessEqual(lp.logprob, 0)

    async def test_stop_string_ends_the_text_before_it(self) -> None:
        r = await self.client.generate(G["prompt"], max_tokens=40, temperature=0, stop=["Lily"]).collect()
        expected = golden_text(40).split("Lily")[0]
        self.assertLess(len(expected), len(golden_text(40)))
        self.assertEqual(r.text, expected)
        self.assertEqual(r.finish_reason, "stop")

    async def test_generate_from_token_ids(self) -> None:
        r = await self.client.generate(G["prompt_token_ids"], max_tokens=12, temperature=0).collect()
        self.assertEqual(r.ids, G["generated_token_ids"][:12])

    async def test_streams_tokens_before_the_generation_finishes(self) -> None:
        stream = self.client.generate(G["prompt"], max_tokens=LONG, temperature=0)
        chunks = 0
        done_at_first = None
        async for chunk in stream:
            if chunks == 0:
                done_at_first = stream.done
            self.assertGreaterEqual(len(chunk.ids), 1)
            chunks += 1
        r = await stream.result()
        self.assertIs(done_at_first, False)
        self.assertGreater(chunks, 1)
        self.assertEqual(chunks, len(r.ids))

    async def test_chat_streams_a_typed_reply(self) -> None:
        stream = self.client.chat([{"role": "user", "content": "Tell me a story."}], max_tokens=8, temperature=0)
        ids = [i async for chunk in stream for i in chunk.ids]
        r = await stream.result()
        self.assertIn(r.finish_reason, ("length", "eog", "stop"))
        self.assertEqual(r.ids, ids)
        self.assertEqual(r.usage.completion_tokens, len(ids))
        self.assertGreater(r.usage.prompt_tokens, 0)
        self.assertEqual(r.text, await self.client.detokenize(ids))

    async def test_cancel_mid_stream_sends_stop_and_keeps_the_connection(self) -> None:
        async with self.client.generate(G["prompt"], max_tokens=LONG, temperature=0) as stream:
            n = 0
            async for _ in stream:
                n += 1
                if n == 3:
                    break
        r = await stream.result()
        self.assertEqual(r.finish_reason, "cancelled")
        self.assertTrue(3 <= len(r.ids) < LONG, len(r.ids))
        # The golden run has 256 tokens: compare what both have.
        self.assertEqual(r.ids[: len(G["generated_token_ids"])], G["generated_token_ids"][: len(r.ids)])
        self.assertEqual(await self.client.tokenize(G["prompt"]), G["prompt_token_ids"])

    async def test_cancelling_the_reading_task_stops_the_generation(self) -> None:
        stream = self.client.generate(G["prompt"], max_tokens=LONG, temperature=0)
        first = asyncio.Event()

        async def read() -> None:
            async for _ in stream:
                first.set()

        task = asyncio.ensure_future(read())
        await first.wait()
        task.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await task
        r = await asyncio.wait_for(stream.result(), 30)
        self.assertEqual(r.finish_reason, "cancelled")
        self.assertLess(len(r.ids), LONG)

    async def test_bad_parameters_raise_kiln_rpc_error_with_code_and_param(self) -> None:
        with self.assertRaises(KilnRPCError) as cm:
            await self.client.generate(G["prompt"], temperature=7).collect()
        self.assertNotIsInstance(cm.exception, KilnAuthError)
        self.assertEqual(cm.exception.code, RpcCode.INVALID_PARAMS)
        self.assertEqual(cm.exception.param, "temperature")
        with self.assertRaises(KilnRPCError) as cm2:
            await self.client.model_info("no-such-model")
        self.assertEqual(cm2.exception.code, RpcCode.INVALID_PARAMS)


class ConnectionTest(unittest.IsolatedAsyncioTestCase):
    async def test_close_is_clean_and_final(self) -> None:
        client = await AsyncKilnClient(server.url, api_key=home.api_key).connect()
        stream = client.generate(G["prompt"], max_tokens=LONG, temperature=0)
        await stream.__anext__()
        await client.close()
        self.assertEqual(client.state, "closed")
        with self.assertRaises(KilnConnectionError):
            await stream.result()
        with self.assertRaises(KilnConnectionError):
            await client.tokenize("x")
        with self.assertRaises(KilnConnectionError):
            await client.ready(1)

    async def test_reconnect_stops_when_the_key_was_revoked_meanwhile(self) -> None:
        key = await asyncio.to_thread(home.create_key, "revoked-on-reconnect")
        own = await asyncio.to_thread(Server, home)
        client = await AsyncKilnClient(own.url, api_key=key, reconnect_initial_delay=0.05, reconnect_max_delay=0.2).connect()
        try:
            await asyncio.to_thread(own.kill, signal.SIGKILL)
            await asyncio.to_thread(home.revoke_key, "revoked-on-reconnect")
            own = await asyncio.to_thread(Server, home, own.port)
            with self.assertRaises(KilnAuthError):
                await client.ready(30)
            self.assertEqual(client.state, "closed")
        finally:
            await client.close()
            await asyncio.to_thread(own.kill, signal.SIGTERM)

    async def test_server_draining_fails_the_stream_with_its_typed_shutdown_error(self) -> None:
        own = await asyncio.to_thread(Server, home)
        client = await AsyncKilnClient(own.url, api_key=home.api_key, reconnect=False).connect()
        try:
            stream = client.generate(G["prompt"], max_tokens=LONG, temperature=0)
            await stream.__anext__()
            own.proc.send_signal(signal.SIGTERM)
            with self.assertRaises(KilnRPCError) as cm:
                await asyncio.wait_for(stream.result(), 30)
            self.assertEqual(cm.exception.code, RpcCode.SHUTTING_DOWN)
        finally:
            await client.close()
            await asyncio.to_thread(own.kill, signal.SIGTERM)

    async def test_wrong_or_missing_key_raises_kiln_auth_error(self) -> None:
        for key in ("kiln_wrong_key", None):
            with self.assertRaises(KilnAuthError) as cm:
                await AsyncKilnClient(server.url, api_key=key, connect_timeout=5).connect()
            self.assertEqual(cm.exception.code, RpcCode.UNAUTHORIZED)

    async def test_unreachable_server_raises_kiln_connection_error(self) -> None:
        with self.assertRaises(KilnConnectionError):
            await AsyncKilnClient("ws://127.0.0.1:1/ws", api_key=home.api_key).connect()

    async def test_server_going_away_fails_the_stream_and_reconnect_works_when_it_returns(self) -> None:
        # Starting and killing the server block, so they run off the event loop.
        own = await asyncio.to_thread(Server, home)
        client = await AsyncKilnClient(own.url, api_key=home.api_key, reconnect_initial_delay=0.05, reconnect_max_delay=0.5).connect()
        try:
            stream = client.generate(G["prompt"], max_tokens=LONG, temperature=0)
            await stream.__anext__()
            await asyncio.to_thread(own.kill, signal.SIGKILL)
            with self.assertRaises(KilnConnectionError):
                await asyncio.wait_for(stream.result(), 30)
            with self.assertRaises(KilnConnectionError):
                await client.tokenize("x")
            self.assertEqual(client.state, "reconnecting")
            own = await asyncio.to_thread(Server, home, own.port)
            await client.ready(30)
            self.assertEqual(client.state, "open")
            self.assertEqual(await client.tokenize(G["prompt"]), G["prompt_token_ids"])
            self.assertEqual((await client.generate(G["prompt"], max_tokens=5, temperature=0).collect()).text, golden_text(5))
        finally:
            await client.close()
            await asyncio.to_thread(own.kill, signal.SIGTERM)


class SyncClientTest(unittest.TestCase):
    def test_blocking_wrapper_generates_cancels_and_raises_typed_errors(self) -> None:
        with KilnClient(server.url, api_key=home.api_key) as client:
            self.assertEqual(client.tokenize(G["prompt"]), G["prompt_token_ids"])
            stream = client.generate(G["prompt"], max_tokens=20, temperature=0)
            self.assertEqual("".join(c.text for c in stream), golden_text(20))
            self.assertEqual(stream.result().finish_reason, "length")
            long = client.generate(G["prompt"], max_tokens=LONG, temperature=0)
            for i, _ in enumerate(long):
                if i == 2:
                    break
            self.assertEqual(long.result().finish_reason, "cancelled")
        with self.assertRaises(KilnAuthError):
            KilnClient(server.url, api_key="kiln_wrong_key")


class ReadmeTest(unittest.TestCase):
    def test_readme_example_runs_as_written(self) -> None:
        readme = (SDK_ROOT / "README.md").read_text(encoding="utf-8")
        m = re.search(r"```python\n(.*?)```", readme, re.S)
        self.assertIsNotNone(m, "README.md has a ```python block")
        assert m is not None
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "example.py"
            path.write_text(m.group(1), encoding="utf-8")
            env = {**os.environ, "KILN_URL": server.url.replace("http", "ws", 1) + "/ws", "KILN_API_KEY": home.api_key,
                   "PYTHONPATH": str(SDK_ROOT / "src")}
            r = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(golden_text(20)), r.stdout)
        self.assertIn("finish: length, 20 tokens", r.stdout)


if __name__ == "__main__":
    unittest.main()
