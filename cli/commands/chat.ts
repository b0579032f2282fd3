// kiln chat -m MODEL [--system TEXT] [sampling flags]
// An interactive conversation: each stdin line is a user message; the reply, rendered through the
// model's chat template (tokenizer.chat_template, chatml when absent, as llama.cpp), streams to stdout.
// The session keeps the conversation's KV cache, so each turn only evaluates the new tokens.
// A "> " prompt goes to stderr when stdin is a terminal; Ctrl-C stops the current reply.

import { createInterface } from "node:readline";
import type { Command } from "commander";
import { defaultModelPath } from "../../engine/paths.js";
import { loadModel } from "../../engine/runtime/model.js";
import type { ChatMessage } from "../../engine/tokenizer/types.js";
import { addSamplingFlags, generateOptions, timingLine, writeOut, type SamplingFlags } from "./run.js";

export function registerChat(program: Command): void {
  addSamplingFlags(
    program
      .command("chat")
      .description("chat with a model: one user message per stdin line, replies on stdout")
      .option("--system <text>", "a system message to start the conversation with")
      .option("--verbose", "print timings of each reply to stderr"),
  ).action(async (o: SamplingFlags & { system?: string; verbose?: boolean }) => {
    const model = await loadModel(o.model ?? defaultModelPath(), { backend: o.backend, kvType: o.kvType, threads: o.threads });
    const interactive = process.stdin.isTTY === true;
    try {
      const session = model.createSession({ nCtx: o.ctxSize });
      const messages: ChatMessage[] = o.system !== undefined ? [{ role: "system", content: o.system }] : [];
      const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
      let ac: AbortController | undefined;
      const onSigint = (): void => {
        if (ac) ac.abort();
        else process.exit(130);
      };
      process.on("SIGINT", onSigint);
      if (interactive) process.stderr.write("> ");
      try {
        for await (const line of rl) {
          if (line.trim() === "") {
            if (interactive) process.stderr.write("> ");
            continue;
          }
          messages.push({ role: "user", content: line });
          ac = new AbortController();
          const gen = session.chat(messages, generateOptions(o, ac.signal));
          for await (const t of gen) await writeOut(t.text);
          const result = await gen.result;
          ac = undefined;
          await writeOut("\n");
          messages.push({ role: "assistant", content: result.text });
          if (o.verbose) process.stderr.write(timingLine(result));
          if (result.finishReason === "context") {
            process.stderr.write("kiln: the context is full; start a new chat to go on\n");
            break;
          }
          if (interactive) process.stderr.write("> ");
        }
      } finally {
        process.off("SIGINT", onSigint);
      }
    } finally {
      model.close();
    }
  });
}
