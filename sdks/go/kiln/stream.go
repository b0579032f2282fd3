// One streamed generation (generate_v1_start / chat_v1_start). The server sends events
// {"event": "started" | "tokens" | "done" | "error" | "stop"}; exactly one of the last three ends it.
// Tokens arrive on a channel that is closed at the end; Result waits for the end. Cancelling the
// context given to Generate, or calling Cancel, sends generate_v1_stop.

package kiln

import (
	"context"
	"strings"
	"sync"
	"time"
)

type wireEvent struct {
	Event        string         `json:"event"`
	Model        string         `json:"model"`
	PromptTokens int            `json:"prompt_tokens"`
	Text         string         `json:"text"`
	IDs          []int          `json:"ids"`
	Logprobs     []TokenLogprob `json:"logprobs"`
	FinishReason FinishReason   `json:"finish_reason"`
	Usage        *Usage         `json:"usage"`
	Timings      *Timings       `json:"timings"`
	Error        *wireError     `json:"error"`
	failure      error          // set for a connection loss (not from the wire)
}

// Stream is one running generation.
type Stream struct {
	// Tokens delivers the streamed pieces in order; it is closed when the stream ends.
	Tokens <-chan Token
	// Subscription is the server's id for this stream.
	Subscription string

	client    *Client
	ctx       context.Context
	tokens    chan Token
	mu        sync.Mutex
	queue     []wireEvent
	wake      chan struct{}
	cancelled chan struct{}
	cancelOne sync.Once
	collect   chan struct{}
	collectOn sync.Once
	done      chan struct{}
	result    *Result
	err       error

	text         strings.Builder
	ids          []int
	model        string
	promptTokens int
}

func newStream(c *Client, ctx context.Context) *Stream {
	tokens := make(chan Token, 16)
	return &Stream{
		Tokens: tokens, client: c, ctx: ctx, tokens: tokens,
		wake: make(chan struct{}, 1), cancelled: make(chan struct{}), collect: make(chan struct{}), done: make(chan struct{}),
	}
}

// push is called by the connection's reader; it never blocks.
func (s *Stream) push(ev wireEvent) {
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Result waits for the end of the stream. Call it after reading Tokens to the end, or instead of
// reading them: from the call on, tokens are no longer delivered to Tokens (the Result has the whole
// text). After a cancelled context it returns what was generated (FinishReason "cancelled") and the
// context's error.
func (s *Stream) Result() (*Result, error) {
	s.collectOn.Do(func() { close(s.collect) })
	<-s.done
	return s.result, s.err
}

// Done is closed when the stream has ended.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Cancel sends generate_v1_stop and waits for the stream to end; tokens not yet read are dropped.
// The result then has FinishReason "cancelled" (or the real one if it had already finished).
func (s *Stream) Cancel() {
	s.cancelOne.Do(func() { close(s.cancelled) })
	select {
	case <-s.done:
		return
	default:
	}
	s.sendStop()
	// A lost connection ends the stream with its own error; a stop event ends it otherwise.
	<-s.done
}

func (s *Stream) sendStop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ok bool
	if err := s.client.Call(ctx, "generate_v1_stop", map[string]string{"subscription": s.Subscription}, &ok); err != nil {
		// The connection is gone: the stream fails with that error.
		return
	}
}

// run moves events from the queue to the Tokens channel until a terminal event, a lost connection
// or the context's end.
func (s *Stream) run() {
	defer close(s.done)
	defer close(s.tokens)
	defer s.client.forget(s.Subscription)
	dropping := false
	for {
		ev, ok := s.next(dropping)
		if !ok {
			s.endByContext()
			return
		}
		if ev.failure != nil {
			s.err = ev.failure
			return
		}
		switch ev.Event {
		case "started":
			s.model = ev.Model
			s.promptTokens = ev.PromptTokens
		case "tokens":
			s.text.WriteString(ev.Text)
			s.ids = append(s.ids, ev.IDs...)
			if dropping {
				continue
			}
			select {
			case s.tokens <- Token{Text: ev.Text, IDs: ev.IDs, Logprobs: ev.Logprobs}:
			case <-s.cancelled:
				dropping = true
			case <-s.collect:
				dropping = true
			case <-s.ctx.Done():
				s.endByContext()
				return
			}
		case "done":
			r := s.partial(ev.FinishReason)
			if ev.Usage != nil {
				r.Usage = *ev.Usage
			}
			r.Timings = ev.Timings
			s.result = r
			return
		case "stop":
			s.result = s.partial("cancelled")
			return
		case "error":
			if ev.Error == nil {
				ev.Error = &wireError{Code: CodeInternalError, Message: "generation failed (no error object in the event)"}
			}
			s.err = ev.Error.toError()
			return
		}
	}
}

// next waits for the next queued event; false when the context ended first.
func (s *Stream) next(dropping bool) (wireEvent, bool) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			ev := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return ev, true
		}
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-s.ctx.Done():
			return wireEvent{}, false
		}
	}
}

// endByContext: the caller's context ended; stop the generation on the server without waiting.
func (s *Stream) endByContext() {
	go s.sendStop()
	s.result = s.partial("cancelled")
	s.err = s.ctx.Err()
}

func (s *Stream) partial(reason FinishReason) *Result {
	n := len(s.ids)
	return &Result{
		Text: s.text.String(), IDs: append([]int(nil), s.ids...), FinishReason: reason, Model: s.model,
		Usage: Usage{PromptTokens: s.promptTokens, CompletionTokens: n, TotalTokens: s.promptTokens + n},
	}
}
