// Typed errors of the kiln client. The JSON-RPC codes are the server's table (server/errors.ts in the
// kiln repository): -32700..-32603 from JSON-RPC 2.0, -32001.. and -32006/-32007/-32009 kiln's own.

export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  Unauthorized: -32001,
  ShuttingDown: -32002,
  TooManySubscriptions: -32006,
  MessageTooLarge: -32007,
  QueueFull: -32009,
} as const;

/** Base class: every error this package throws is a KilnError. */
export class KilnError extends Error {
  override name = "KilnError";
}

/** The server answered with a JSON-RPC error object; `code` is one of RpcCode. */
export class KilnRpcError extends KilnError {
  override name = "KilnRpcError";
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }

  /** The parameter the server named (invalid-params errors carry it in data.param). */
  get param(): string | undefined {
    const d = this.data as { param?: unknown } | undefined;
    return typeof d?.param === "string" ? d.param : undefined;
  }
}

/** The API key is missing, mistyped or revoked (code -32001); the server closes the connection after it. */
export class KilnAuthError extends KilnRpcError {
  override name = "KilnAuthError";
}

/** The connection could not be opened, or it was lost; the request or stream it carried is gone. */
export class KilnConnectionError extends KilnError {
  override name = "KilnConnectionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function rpcError(e: { code: number; message: string; data?: unknown }): KilnRpcError {
  return e.code === RpcCode.Unauthorized ? new KilnAuthError(e.code, e.message, e.data) : new KilnRpcError(e.code, e.message, e.data);
}
