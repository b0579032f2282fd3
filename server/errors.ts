// Error codes and shapes of the server's two APIs, in one table.
// JSON-RPC 2.0 (https://www.jsonrpc.org/specification) reserves -32768..-32000; the codes above -32000
// follow the ranges Substrate/jsonrpsee use for server errors (-32006 too many subscriptions,
// -32007 oversized message, -32009 full queue). HTTP errors use OpenAI's shape:
// {"error": {"message", "type", "param", "code"}} (https://platform.openai.com/docs/guides/error-codes).

import { KilnError } from "../engine/errors.js";

/**
 * | code   | name               | when                                                                 |
 * |--------|--------------------|----------------------------------------------------------------------|
 * | -32700 | parse error        | the message is not valid JSON                                        |
 * | -32600 | invalid request    | not a JSON-RPC 2.0 request object (or an empty / oversized batch)    |
 * | -32601 | method not found   | the method is not in rpc_methods                                     |
 * | -32602 | invalid params     | a parameter is missing, of the wrong type, out of range; unknown model|
 * | -32603 | internal error     | a bug, or the model failed while generating                          |
 * | -32001 | unauthorized       | no or wrong API key (the connection is closed after it, code 1008)   |
 * | -32002 | shutting down      | the server is draining after SIGTERM                                 |
 * | -32006 | too many subs      | the connection already has maxSubscriptions live subscriptions       |
 * | -32007 | message too large  | a message is larger than maxMessageBytes                             |
 * | -32009 | queue full         | the server's wait queue is full, or this client reads too slowly     |
 */
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
export type RpcCode = (typeof RpcCode)[keyof typeof RpcCode];

/** The HTTP status each condition maps to on the OpenAI-compatible API. */
const HTTP_STATUS: Record<RpcCode, number> = {
  [RpcCode.ParseError]: 400,
  [RpcCode.InvalidRequest]: 400,
  [RpcCode.MethodNotFound]: 404,
  [RpcCode.InvalidParams]: 400,
  [RpcCode.InternalError]: 500,
  [RpcCode.Unauthorized]: 401,
  [RpcCode.ShuttingDown]: 503,
  [RpcCode.TooManySubscriptions]: 429,
  [RpcCode.MessageTooLarge]: 413,
  [RpcCode.QueueFull]: 429,
};

const OPENAI_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "not_found_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
  500: "server_error",
  503: "server_error",
};

/** A request the server refuses: carries the JSON-RPC code, an HTTP status and the offending parameter. */
export class ApiError extends KilnError {
  constructor(
    readonly rpcCode: RpcCode,
    message: string,
    readonly param: string | null = null,
    /** OpenAI's machine-readable code, e.g. "model_not_found", "invalid_api_key". */
    readonly openaiCode: string | null = null,
    readonly httpStatus: number = HTTP_STATUS[rpcCode],
  ) {
    super(message, "API_ERROR");
  }
}

export function invalidParam(param: string, message: string): ApiError {
  return new ApiError(RpcCode.InvalidParams, message, param);
}

/** Any thrown value as an ApiError: KilnErrors keep their message (they are written for users). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof KilnError) return new ApiError(RpcCode.InvalidParams, e.message);
  return new ApiError(RpcCode.InternalError, `internal error: ${e instanceof Error ? e.message : String(e)}`);
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openaiErrorBody(e: ApiError): OpenAIErrorBody {
  return {
    error: {
      message: e.message,
      type: OPENAI_TYPE[e.httpStatus] ?? "invalid_request_error",
      param: e.param,
      code: e.openaiCode,
    },
  };
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export function rpcErrorObject(e: ApiError): RpcErrorObject {
  return e.param ? { code: e.rpcCode, message: e.message, data: { param: e.param } } : { code: e.rpcCode, message: e.message };
}
