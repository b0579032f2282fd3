// kiln-client: a WebSocket JSON-RPC client of the kiln LLM server. See README.md for an example.
export { KilnClient, rpcUrl, type ClientOptions, type ConnectionState, type ReconnectOptions } from "./client.js";
export { GenerationStream } from "./stream.js";
export { KilnAuthError, KilnConnectionError, KilnError, KilnRpcError, RpcCode } from "./errors.js";
export type * from "./types.js";
