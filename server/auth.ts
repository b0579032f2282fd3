// API keys: `kiln api-key create` makes one, shows it once, and stores only a salted SHA-256 of its
// secret in KILN_HOME/api-keys.json. A key reads `kiln_<id>_<secret>`: the id finds the record, the
// secret is checked by hashing and a constant-time comparison. The secret is 32 random bytes, so a
// salted SHA-256 is as strong as a slow KDF here and keeps per-request checks cheap.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { KilnError } from "../engine/errors.js";
import { ensureHome, kilnHome, readJsonFile, writeJsonFileAtomic } from "./home.js";

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  /** hex */
  readonly salt: string;
  /** hex SHA-256 of salt || secret */
  readonly hash: string;
  readonly created: string;
}

interface KeyFile {
  keys: ApiKeyRecord[];
}

const KEY_RE = /^kiln_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function keysPath(): string {
  return join(kilnHome(), "api-keys.json");
}

function hashSecret(salt: Buffer, secret: string): Buffer {
  return createHash("sha256").update(salt).update(secret, "utf8").digest();
}

export function listKeys(): ApiKeyRecord[] {
  return readJsonFile<KeyFile>(keysPath(), { keys: [] }).keys;
}

/** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
export function createKey(name: string): { record: ApiKeyRecord; key: string } {
  ensureHome();
  const id = randomBytes(6).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const salt = randomBytes(16);
  const record: ApiKeyRecord = {
    id, name, salt: salt.toString("hex"), hash: hashSecret(salt, secret).toString("hex"), created: new Date().toISOString(),
  };
  const keys = listKeys();
  keys.push(record);
  writeJsonFileAtomic(keysPath(), { keys } satisfies KeyFile);
  return { record, key: `kiln_${id}_${secret}` };
}

export function revokeKey(id: string): ApiKeyRecord {
  const keys = listKeys();
  const i = keys.findIndex((k) => k.id === id || k.name === id);
  if (i < 0) {
    throw new KilnError(`api key ${JSON.stringify(id)} not found in ${keysPath()}; \`kiln api-key list\` shows the ids`);
  }
  const [removed] = keys.splice(i, 1);
  writeJsonFileAtomic(keysPath(), { keys } satisfies KeyFile);
  return removed!;
}

/** The server's view of the key file: re-read when it changes, so `kiln api-key revoke` acts at once. */
export class KeyStore {
  private keys: ApiKeyRecord[] = [];
  private mtimeMs = -1;
  /** Once keys have existed, revoking the last one must lock the server, not open it. */
  private required = false;

  constructor(private readonly path: string = keysPath()) {
    this.refresh();
  }

  private refresh(): void {
    let mtime: number;
    try {
      mtime = statSync(this.path).mtimeMs;
    } catch {
      mtime = 0;
    }
    if (mtime === this.mtimeMs) return;
    this.mtimeMs = mtime;
    this.keys = mtime === 0 ? [] : readJsonFile<KeyFile>(this.path, { keys: [] }).keys;
    if (this.keys.length > 0) this.required = true;
  }

  /** True when requests must authenticate: a key exists, or existed since this store was opened. */
  get enabled(): boolean {
    this.refresh();
    return this.required;
  }

  /** The key's record when `key` is valid, else undefined. */
  verify(key: string | undefined): ApiKeyRecord | undefined {
    if (!key) return undefined;
    this.refresh();
    const m = KEY_RE.exec(key);
    if (!m) return undefined;
    const rec = this.keys.find((k) => k.id === m[1]);
    if (!rec) return undefined;
    const want = Buffer.from(rec.hash, "hex");
    const got = hashSecret(Buffer.from(rec.salt, "hex"), m[2]!);
    return want.length === got.length && timingSafeEqual(want, got) ? rec : undefined;
  }
}

/** The token of an `Authorization: Bearer TOKEN` header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
