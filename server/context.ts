// What every request handler shares: the served models, the scheduler, metrics, keys and limits.

import { ApiError, RpcCode } from "./errors.js";
import type { ServedModel } from "./engine.js";
import type { GenerationContext } from "./generation.js";
import type { KeyStore } from "./auth.js";

export interface RpcLimits {
  /** Live subscriptions (waiting or running) one connection may hold. */
  readonly maxSubscriptions: number;
  /** Largest message the JSON-RPC layer reads; larger ones get -32007. */
  readonly maxMessageBytes: number;
  /** Largest frame the WebSocket layer accepts at all; beyond it the socket closes with 1009. */
  readonly maxFrameBytes: number;
  /** Requests in one batch. */
  readonly maxBatch: number;
  /** Bytes queued for one connection's socket before its streams pause. */
  readonly maxBufferedBytes: number;
  /** How long a stream may stay paused on a slow reader before it ends with -32009. */
  readonly slowReaderSeconds: number;
  /** How long an unauthenticated connection has to send auth_v1_login. */
  readonly loginSeconds: number;
}

export const DEFAULT_LIMITS: RpcLimits = {
  maxSubscriptions: 32,
  maxMessageBytes: 1 << 20,
  maxFrameBytes: 16 << 20,
  maxBatch: 64,
  maxBufferedBytes: 1 << 20,
  slowReaderSeconds: 15,
  loginSeconds: 10,
};

export interface ServerContext extends GenerationContext {
  readonly models: ReadonlyMap<string, ServedModel>;
  readonly defaultModel: ServedModel;
  readonly keys: KeyStore;
  readonly limits: RpcLimits;
  readonly publicHealth: boolean;
  readonly publicMetrics: boolean;
  /** Default max_tokens when a request gives none. */
  readonly defaultMaxTokens: number;
  /** Largest HTTP request body. */
  readonly maxBodyBytes: number;
  draining: boolean;
}

export function pickModel(ctx: ServerContext, name: unknown, param = "model"): ServedModel {
  if (name === undefined || name === null || name === "") return ctx.defaultModel;
  if (typeof name !== "string") throw new ApiError(RpcCode.InvalidParams, `${param} must be a string, got ${JSON.stringify(name)}`, param);
  const m = ctx.models.get(name);
  if (!m) {
    throw new ApiError(
      RpcCode.InvalidParams,
      `model ${JSON.stringify(name)} is not served here; available: ${[...ctx.models.keys()].join(", ")}`,
      param,
      "model_not_found",
      404,
    );
  }
  return m;
}

export function checkNotDraining(ctx: ServerContext): void {
  if (ctx.draining) throw new ApiError(RpcCode.ShuttingDown, "the server is shutting down; retry on another instance", null, "shutting_down");
}
