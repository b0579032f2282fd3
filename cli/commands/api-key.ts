// kiln api-key create [--name N] | list | revoke ID: the server's API keys (server/auth.ts), stored
// hashed in KILN_HOME/api-keys.json. A key is printed once, at creation.

import type { Command } from "commander";
import { createKey, keysPath, listKeys, revokeKey } from "../../server/auth.js";

export function registerApiKey(program: Command): void {
  const cmd = program.command("api-key").description("create, list and revoke the server's API keys (KILN_HOME, default ~/.kiln)");
  cmd
    .command("create")
    .description("create a key; it is shown once, on stdout")
    .option("--name <name>", "a label for the key", "default")
    .action((opts: { name: string }) => {
      const { record, key } = createKey(opts.name);
      process.stderr.write(`kiln: created key ${record.id} (${record.name}) in ${keysPath()}; it is shown only now:\n`);
      process.stdout.write(key + "\n");
    });
  cmd
    .command("list")
    .description("list keys (ids and names; the secrets are not stored)")
    .option("--json", "machine-readable JSON")
    .action((opts: { json?: boolean }) => {
      const keys = listKeys().map(({ id, name, created }) => ({ id, name, created }));
      if (opts.json) {
        process.stdout.write(JSON.stringify(keys, null, 2) + "\n");
        return;
      }
      if (keys.length === 0) process.stderr.write(`kiln: no API keys in ${keysPath()}\n`);
      for (const k of keys) process.stdout.write(`${k.id}  ${k.name.padEnd(20)}  ${k.created}\n`);
    });
  cmd
    .command("revoke")
    .description("revoke a key by id (or name); running servers stop accepting it at once")
    .argument("<id>", "the key's id from `kiln api-key list`")
    .action((id: string) => {
      const r = revokeKey(id);
      process.stderr.write(`kiln: revoked key ${r.id} (${r.name})\n`);
    });
}
