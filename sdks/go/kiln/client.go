// Package kiln is a WebSocket client of the kiln LLM server's JSON-RPC 2.0 API (methods
// model_v1_*, tokenizer_v1_*, generate_v1_*, chat_v1_start; reference: server/rpc.ts in the kiln
// repository). The API key goes in the Authorization header. A lost connection fails what it carried
// with a *ConnectionError and is reopened in the background with exponential backoff; an auth failure
// is final.
package kiln

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Options configure Dial.
type Options struct {
	// APIKey from `kiln api-key create`; sent as "Authorization: Bearer KEY".
	APIKey string
	// ConnectTimeout bounds opening the connection and the first call (default 10 s).
	ConnectTimeout time.Duration
	// NoReconnect leaves a lost connection closed.
	NoReconnect bool
	// InitialBackoff is the first wait after a drop, doubled after each failed attempt (default 100 ms).
	InitialBackoff time.Duration
	// MaxBackoff caps the wait (default 5 s).
	MaxBackoff time.Duration
	// MaxAttempts gives up after this many failed attempts (0: never).
	MaxAttempts int
}

// State of the connection.
type State string

const (
	StateOpen         State = "open"
	StateReconnecting State = "reconnecting"
	StateClosed       State = "closed"
)

// Client is safe for concurrent use.
type Client struct {
	url  string
	opts Options

	mu       sync.Mutex
	conn     *conn
	state    State
	lastErr  error
	readyCh  chan struct{} // closed when the state leaves "reconnecting"
	closing  chan struct{}
	closeOne sync.Once
	nextID   int64
	streams  map[string]*Stream
}

type pendingCall struct {
	ch       chan rpcResponse
	onResult func(json.RawMessage)
}

type rpcResponse struct {
	result json.RawMessage
	err    error
}

// conn is one WebSocket and the calls in flight on it.
type conn struct {
	ws      *websocket.Conn
	writeMu sync.Mutex
	mu      sync.Mutex
	pending map[int64]pendingCall
	authErr error
	dead    bool
	closed  chan struct{}
}

// RPCURL turns the URL kiln serve prints (http://host:port), a ws(s) URL or host:port into the
// JSON-RPC endpoint's ws(s)://host:port/ws.
func RPCURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "ws://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("kiln: URL %q: %w", raw, err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("kiln: URL %q: scheme %s is not ws, wss, http or https", raw, u.Scheme)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/ws"
	}
	return u.String(), nil
}

// Dial opens the connection and checks the key with one call (rpc_methods). A wrong key gives an
// error matching ErrUnauthorized; an unreachable server a *ConnectionError.
func Dial(ctx context.Context, rawURL string, opts Options) (*Client, error) {
	u, err := RPCURL(rawURL)
	if err != nil {
		return nil, err
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	if opts.InitialBackoff <= 0 {
		opts.InitialBackoff = 100 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	c := &Client{url: u, opts: opts, closing: make(chan struct{}), streams: map[string]*Stream{}}
	cn, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	c.conn = cn
	c.state = StateOpen
	go c.watch(cn)
	return c, nil
}

// URL is the endpoint the client talks to.
func (c *Client) URL() string { return c.url }

// State is "open", "reconnecting" or "closed".
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Ready waits until the connection is open (again), or the context ends, or the client closes.
func (c *Client) Ready(ctx context.Context) error {
	for {
		c.mu.Lock()
		state, ch, last := c.state, c.readyCh, c.lastErr
		c.mu.Unlock()
		switch state {
		case StateOpen:
			return nil
		case StateClosed:
			if last != nil {
				return last
			}
			return &ConnectionError{Op: "client closed", URL: c.url}
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return &ConnectionError{Op: "no connection to", URL: c.url, Err: fmt.Errorf("%w (last error: %v)", ctx.Err(), last)}
		}
	}
}

// Close closes the connection; running streams fail with a *ConnectionError. No reconnect follows.
func (c *Client) Close() error {
	c.closeOne.Do(func() { close(c.closing) })
	c.mu.Lock()
	cn := c.conn
	c.conn = nil
	prev := c.state
	c.state = StateClosed
	if c.readyCh != nil && prev == StateReconnecting {
		close(c.readyCh)
		c.readyCh = nil
	}
	streams := c.streams
	c.streams = map[string]*Stream{}
	c.mu.Unlock()
	for _, s := range streams {
		s.push(wireEvent{failure: &ConnectionError{Op: "client closed", URL: c.url}})
	}
	if cn != nil {
		cn.writeMu.Lock()
		_ = cn.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "client closed"), time.Now().Add(time.Second))
		cn.writeMu.Unlock()
		select {
		case <-cn.closed:
		case <-time.After(2 * time.Second):
		}
		_ = cn.ws.Close()
		<-cn.closed
	}
	return nil
}

// open dials and does the rpc_methods handshake.
func (c *Client) open(ctx context.Context) (*conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	header := http.Header{}
	if c.opts.APIKey != "" {
		header.Set("Authorization", "Bearer "+c.opts.APIKey)
	}
	d := websocket.Dialer{HandshakeTimeout: c.opts.ConnectTimeout, Subprotocols: []string{"kiln.v1"}, Proxy: http.ProxyFromEnvironment}
	ws, resp, err := d.DialContext(ctx, c.url, header)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, &ConnectionError{Op: "cannot connect to", URL: c.url, Err: err}
	}
	ws.SetReadLimit(16 << 20)
	cn := &conn{ws: ws, pending: map[int64]pendingCall{}, closed: make(chan struct{})}
	go c.read(cn)
	var res json.RawMessage
	if err := c.callOn(ctx, cn, "rpc_methods", nil, &res, nil); err != nil {
		_ = ws.Close()
		<-cn.closed
		// The server says why it refused before it closes: prefer that to the close itself.
		cn.mu.Lock()
		authErr := cn.authErr
		cn.mu.Unlock()
		if authErr != nil {
			return nil, authErr
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, &ConnectionError{Op: "no answer to rpc_methods from", URL: c.url, Err: err}
		}
		return nil, err
	}
	return cn, nil
}

// read dispatches messages until the socket fails; then fails every call left on it.
func (c *Client) read(cn *conn) {
	var lost error
	for {
		_, data, err := cn.ws.ReadMessage()
		if err != nil {
			lost = err
			break
		}
		var batch []json.RawMessage
		if len(data) > 0 && data[0] == '[' {
			if json.Unmarshal(data, &batch) != nil {
				continue
			}
		} else {
			batch = []json.RawMessage{data}
		}
		for _, m := range batch {
			c.dispatch(cn, m)
		}
	}
	cn.mu.Lock()
	cn.dead = true
	var failure error = &ConnectionError{Op: "connection lost to", URL: c.url, Err: lost}
	if cn.authErr != nil {
		failure = cn.authErr
	}
	pending := cn.pending
	cn.pending = map[int64]pendingCall{}
	cn.mu.Unlock()
	for _, p := range pending {
		p.ch <- rpcResponse{err: failure}
	}
	close(cn.closed)
}

type wireMessage struct {
	ID     *int64          `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *wireError      `json:"error"`
	Method string          `json:"method"`
	Params *struct {
		Subscription string    `json:"subscription"`
		Result       wireEvent `json:"result"`
	} `json:"params"`
}

func (c *Client) dispatch(cn *conn, raw json.RawMessage) {
	var m wireMessage
	if json.Unmarshal(raw, &m) != nil {
		return
	}
	if m.Method == "generate_v1_event" && m.Params != nil {
		c.mu.Lock()
		s := c.streams[m.Params.Subscription]
		c.mu.Unlock()
		if s != nil {
			s.push(m.Params.Result)
		}
		return
	}
	if m.ID == nil {
		// An error about the connection itself. Unauthorized ends it (the server closes next).
		if m.Error != nil && m.Error.Code == CodeUnauthorized {
			cn.mu.Lock()
			cn.authErr = m.Error.toError()
			cn.mu.Unlock()
		}
		return
	}
	cn.mu.Lock()
	p, ok := cn.pending[*m.ID]
	delete(cn.pending, *m.ID)
	cn.mu.Unlock()
	if !ok {
		return
	}
	if m.Error != nil {
		p.ch <- rpcResponse{err: m.Error.toError()}
		return
	}
	// Runs before the next message is read, so a subscription sees all its events.
	if p.onResult != nil {
		p.onResult(m.Result)
	}
	p.ch <- rpcResponse{result: m.Result}
}

// watch waits for an established connection to drop, fails its streams and reconnects.
func (c *Client) watch(cn *conn) {
	<-cn.closed
	c.mu.Lock()
	if c.conn != cn {
		c.mu.Unlock()
		return // closed by Close
	}
	cn.mu.Lock()
	authErr := cn.authErr
	cn.mu.Unlock()
	var failure error = &ConnectionError{Op: "connection lost to", URL: c.url}
	if authErr != nil {
		failure = authErr
	}
	c.conn = nil
	c.lastErr = failure
	streams := c.streams
	c.streams = map[string]*Stream{}
	reconnect := !c.opts.NoReconnect && authErr == nil
	if reconnect {
		c.state = StateReconnecting
		c.readyCh = make(chan struct{})
	} else {
		c.state = StateClosed
	}
	c.mu.Unlock()
	for _, s := range streams {
		s.push(wireEvent{failure: failure})
	}
	if reconnect {
		c.reconnect()
	}
}

func (c *Client) reconnect() {
	for attempt := 0; ; attempt++ {
		if c.opts.MaxAttempts > 0 && attempt >= c.opts.MaxAttempts {
			c.mu.Lock()
			c.lastErr = &ConnectionError{Op: fmt.Sprintf("gave up after %d attempts to reconnect to", attempt), URL: c.url, Err: c.lastErr}
			c.finishReconnect(StateClosed, nil)
			c.mu.Unlock()
			return
		}
		// Exponential backoff with jitter, so many clients do not return at the same instant.
		base := c.opts.InitialBackoff << uint(attempt)
		if base > c.opts.MaxBackoff || base <= 0 {
			base = c.opts.MaxBackoff
		}
		wait := base/2 + time.Duration(rand.Int63n(int64(base/2)+1))
		select {
		case <-c.closing:
			return
		case <-time.After(wait):
		}
		cn, err := c.open(context.Background())
		c.mu.Lock()
		if c.state == StateClosed {
			c.mu.Unlock()
			if cn != nil {
				_ = cn.ws.Close()
			}
			return
		}
		if err != nil {
			c.lastErr = err
			if errors.Is(err, ErrUnauthorized) {
				c.finishReconnect(StateClosed, nil)
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			continue
		}
		c.lastErr = nil
		c.finishReconnect(StateOpen, cn)
		c.mu.Unlock()
		go c.watch(cn)
		return
	}
}

// finishReconnect runs with c.mu held.
func (c *Client) finishReconnect(state State, cn *conn) {
	c.state = state
	c.conn = cn
	if c.readyCh != nil {
		close(c.readyCh)
		c.readyCh = nil
	}
}

// Call sends any JSON-RPC method and decodes its result into result (nil to ignore it). Errors:
// *RPCError from the server, *ConnectionError when not connected or the connection drops, or the
// context's error.
func (c *Client) Call(ctx context.Context, method string, params, result interface{}) error {
	return c.call(ctx, method, params, result, nil)
}

func (c *Client) call(ctx context.Context, method string, params, result interface{}, onResult func(json.RawMessage)) error {
	c.mu.Lock()
	cn, state, last := c.conn, c.state, c.lastErr
	c.mu.Unlock()
	if cn == nil {
		return &ConnectionError{Op: fmt.Sprintf("not connected (%s; call Ready after a drop) to", state), URL: c.url, Err: last}
	}
	return c.callOn(ctx, cn, method, params, result, onResult)
}

func (c *Client) callOn(ctx context.Context, cn *conn, method string, params, result interface{}, onResult func(json.RawMessage)) error {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.mu.Unlock()
	msg := map[string]interface{}{"jsonrpc": "2.0", "id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("kiln: encoding %s params: %w", method, err)
	}
	ch := make(chan rpcResponse, 1)
	cn.mu.Lock()
	if cn.dead {
		failure := cn.authErr
		cn.mu.Unlock()
		if failure != nil {
			return failure
		}
		return &ConnectionError{Op: "connection lost to", URL: c.url}
	}
	cn.pending[id] = pendingCall{ch: ch, onResult: onResult}
	cn.mu.Unlock()
	cn.writeMu.Lock()
	err = cn.ws.WriteMessage(websocket.TextMessage, data)
	cn.writeMu.Unlock()
	if err != nil {
		cn.mu.Lock()
		delete(cn.pending, id)
		cn.mu.Unlock()
		return &ConnectionError{Op: "sending " + method + " to", URL: c.url, Err: err}
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return r.err
		}
		if result != nil {
			if err := json.Unmarshal(r.result, result); err != nil {
				return fmt.Errorf("kiln: decoding the result of %s: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		cn.mu.Lock()
		delete(cn.pending, id)
		cn.mu.Unlock()
		return ctx.Err()
	}
}

// Methods lists the server's JSON-RPC methods.
func (c *Client) Methods(ctx context.Context) ([]string, error) {
	var r struct {
		Methods []string `json:"methods"`
	}
	err := c.Call(ctx, "rpc_methods", nil, &r)
	return r.Methods, err
}

// Models lists the served models.
func (c *Client) Models(ctx context.Context) ([]Model, error) {
	var r []Model
	err := c.Call(ctx, "model_v1_list", nil, &r)
	return r, err
}

// ModelInfo describes one model ("" for the server's default).
func (c *Client) ModelInfo(ctx context.Context, model string) (*ModelInfo, error) {
	p := map[string]string{}
	if model != "" {
		p["model"] = model
	}
	var r ModelInfo
	if err := c.Call(ctx, "model_v1_info", p, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// TokenizeOptions for Tokenize; nil fields take the server's defaults (add_special true).
type TokenizeOptions struct {
	Model        string `json:"model,omitempty"`
	AddSpecial   *bool  `json:"add_special,omitempty"`
	ParseSpecial *bool  `json:"parse_special,omitempty"`
}

// Tokenize turns text into token ids with the model's tokenizer.
func (c *Client) Tokenize(ctx context.Context, text string, opts *TokenizeOptions) ([]int, error) {
	p := struct {
		Text string `json:"text"`
		TokenizeOptions
	}{Text: text}
	if opts != nil {
		p.TokenizeOptions = *opts
	}
	var r struct {
		IDs []int `json:"ids"`
	}
	err := c.Call(ctx, "tokenizer_v1_encode", p, &r)
	return r.IDs, err
}

// DetokenizeOptions for Detokenize.
type DetokenizeOptions struct {
	Model   string `json:"model,omitempty"`
	Special *bool  `json:"special,omitempty"`
}

// Detokenize turns token ids into text.
func (c *Client) Detokenize(ctx context.Context, ids []int, opts *DetokenizeOptions) (string, error) {
	p := struct {
		IDs []int `json:"ids"`
		DetokenizeOptions
	}{IDs: ids}
	if p.IDs == nil {
		p.IDs = []int{}
	}
	if opts != nil {
		p.DetokenizeOptions = *opts
	}
	var r struct {
		Text string `json:"text"`
	}
	err := c.Call(ctx, "tokenizer_v1_decode", p, &r)
	return r.Text, err
}

// Generate streams a completion of prompt. It returns once the server has accepted the request (a
// bad parameter is an *RPCError here). Cancelling ctx stops the generation (generate_v1_stop).
func (c *Client) Generate(ctx context.Context, prompt string, opts *GenerateOptions) (*Stream, error) {
	return c.generate(ctx, prompt, opts)
}

// GenerateIDs is Generate with the prompt given as token ids.
func (c *Client) GenerateIDs(ctx context.Context, ids []int, opts *GenerateOptions) (*Stream, error) {
	return c.generate(ctx, ids, opts)
}

func (c *Client) generate(ctx context.Context, prompt interface{}, opts *GenerateOptions) (*Stream, error) {
	p := struct {
		Prompt interface{} `json:"prompt"`
		GenerateOptions
	}{Prompt: prompt}
	if opts != nil {
		p.GenerateOptions = *opts
	}
	return c.startStream(ctx, "generate_v1_start", p)
}

// Chat streams a chat reply; the model's chat template turns the messages into its prompt.
func (c *Client) Chat(ctx context.Context, messages []Message, opts *ChatOptions) (*Stream, error) {
	p := struct {
		Messages []Message `json:"messages"`
		ChatOptions
	}{Messages: messages}
	if opts != nil {
		p.ChatOptions = *opts
	}
	return c.startStream(ctx, "chat_v1_start", p)
}

func (c *Client) startStream(ctx context.Context, method string, params interface{}) (*Stream, error) {
	s := newStream(c, ctx)
	var sub string
	err := c.call(ctx, method, params, &sub, func(raw json.RawMessage) {
		var id string
		if json.Unmarshal(raw, &id) == nil {
			s.Subscription = id
			c.mu.Lock()
			c.streams[id] = s
			c.mu.Unlock()
		}
	})
	if err != nil {
		if s.Subscription != "" {
			c.forget(s.Subscription)
		}
		return nil, err
	}
	go s.run()
	return s, nil
}

func (c *Client) forget(subscription string) {
	c.mu.Lock()
	delete(c.streams, subscription)
	c.mu.Unlock()
}
