// Typed errors of the kiln client. The JSON-RPC codes are the server's table (server/errors.ts in
// the kiln repository): -32700..-32603 from JSON-RPC 2.0, -32001.. and -32006/-32007/-32009 kiln's own.

package kiln

import (
	"encoding/json"
	"errors"
	"fmt"
)

// JSON-RPC error codes the server uses.
const (
	CodeParseError           = -32700
	CodeInvalidRequest       = -32600
	CodeMethodNotFound       = -32601
	CodeInvalidParams        = -32602
	CodeInternalError        = -32603
	CodeUnauthorized         = -32001
	CodeShuttingDown         = -32002
	CodeTooManySubscriptions = -32006
	CodeMessageTooLarge      = -32007
	CodeQueueFull            = -32009
)

var (
	// ErrUnauthorized matches (errors.Is) an *RPCError with code -32001: the API key is missing,
	// mistyped or revoked. The server closes the connection after it; the client does not reconnect.
	ErrUnauthorized = errors.New("kiln: unauthorized")
	// ErrConnection matches (errors.Is) a *ConnectionError.
	ErrConnection = errors.New("kiln: connection error")
)

// RPCError is a JSON-RPC error object from the server.
type RPCError struct {
	Code    int
	Message string
	Data    json.RawMessage
}

func (e *RPCError) Error() string {
	return fmt.Sprintf("kiln: %s (JSON-RPC code %d)", e.Message, e.Code)
}

// Is makes errors.Is(err, ErrUnauthorized) true for code -32001.
func (e *RPCError) Is(target error) bool {
	return target == ErrUnauthorized && e.Code == CodeUnauthorized
}

// Param is the parameter the server named (invalid-params errors carry it in data.param), or "".
func (e *RPCError) Param() string {
	var d struct {
		Param string `json:"param"`
	}
	if len(e.Data) == 0 || json.Unmarshal(e.Data, &d) != nil {
		return ""
	}
	return d.Param
}

// ConnectionError: the connection could not be opened, or it was lost; the request or stream it
// carried is gone.
type ConnectionError struct {
	Op  string
	URL string
	Err error
}

func (e *ConnectionError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("kiln: %s %s", e.Op, e.URL)
	}
	return fmt.Sprintf("kiln: %s %s: %v", e.Op, e.URL, e.Err)
}

func (e *ConnectionError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrConnection) true.
func (e *ConnectionError) Is(target error) bool { return target == ErrConnection }

type wireError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (w *wireError) toError() *RPCError {
	return &RPCError{Code: w.Code, Message: w.Message, Data: w.Data}
}
