// The Go client against a real `kiln serve` (stories260K on loopback): greedy text equal to
// llama.cpp's golden continuation, incremental streaming, cancellation through the context and
// Cancel, typed auth / RPC / connection errors, reconnect after the server returns, and the README's
// example run as written.

package kiln_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-llm/kiln/sdks/go/kiln"
)

var (
	home *kilnHome
	srv  *server
)

// long is a generation that is still running when the client acts on its first tokens (stories260K's
// context is 512 tokens).
const long = 500

func TestMain(m *testing.M) {
	var err error
	if home, err = newHome(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if srv, err = startServer(home, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	srv.kill(syscall.SIGTERM)
	os.RemoveAll(home.dir)
	os.Exit(code)
}

func dial(t *testing.T) *kiln.Client {
	t.Helper()
	c, err := kiln.Dial(context.Background(), srv.url, kiln.Options{APIKey: home.apiKey})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func greedyOpts(n int) *kiln.GenerateOptions {
	return &kiln.GenerateOptions{SamplingOptions: kiln.SamplingOptions{MaxTokens: kiln.Int(n), Temperature: kiln.Float(0)}}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// samePrefix: a and b agree on their common length (the golden run has 256 tokens).
func samePrefix(a, b []int) bool {
	n := len(a)
	if len(b) < n {
		n = len(b)
	}
	return equalInts(a[:n], b[:n])
}

func TestModelsTokenizeDetokenizeLikeLlamaCpp(t *testing.T) {
	g := greedyGolden(t)
	c := dial(t)
	ctx := context.Background()
	models, err := c.Models(ctx)
	if err != nil || len(models) != 1 || models[0].Architecture != "llama" {
		t.Fatalf("Models: %+v %v", models, err)
	}
	info, err := c.ModelInfo(ctx, models[0].ID)
	if err != nil || info.VocabSize != 512 || info.BOS == nil || *info.BOS != 1 {
		t.Fatalf("ModelInfo: %+v %v", info, err)
	}
	ids, err := c.Tokenize(ctx, g.Prompt, nil)
	if err != nil || !equalInts(ids, g.PromptTokenIDs) {
		t.Fatalf("Tokenize: %v %v, want %v", ids, err, g.PromptTokenIDs)
	}
	// llama.cpp's ids without the BOS it adds (id 1).
	noBOS := false
	ids, err = c.Tokenize(ctx, g.Prompt, &kiln.TokenizeOptions{AddSpecial: &noBOS})
	if err != nil || !equalInts(ids, g.PromptTokenIDs[1:]) {
		t.Fatalf("Tokenize without BOS: %v %v, want %v", ids, err, g.PromptTokenIDs[1:])
	}
	text, err := c.Detokenize(ctx, g.GeneratedTokenIDs[:30], nil)
	if err != nil || text != g.text(30) {
		t.Fatalf("Detokenize: %q %v, want %q", text, err, g.text(30))
	}
	methods, err := c.Methods(ctx)
	if err != nil || !strings.Contains(strings.Join(methods, ","), "generate_v1_start") {
		t.Fatalf("Methods: %v %v", methods, err)
	}
}

func TestGenerateAtTemperature0GivesTheGoldenText(t *testing.T) {
	g := greedyGolden(t)
	c := dial(t)
	s, err := c.Generate(context.Background(), g.Prompt, greedyOpts(40))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for tok := range s.Tokens {
		b.WriteString(tok.Text)
	}
	r, err := s.Result()
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != g.text(40) || r.Text != g.text(40) {
		t.Fatalf("text %q / %q, want %q", b.String(), r.Text, g.text(40))
	}
	if !equalInts(r.IDs, g.GeneratedTokenIDs[:40]) {
		t.Fatalf("ids %v", r.IDs)
	}
	if r.FinishReason != "length" || r.Usage != (kiln.Usage{PromptTokens: 5, CompletionTokens: 40, TotalTokens: 45}) {
		t.Fatalf("finish %q usage %+v", r.FinishReason, r.Usage)
	}
	if r.Timings == nil || r.Timings.GenerateMs <= 0 {
		t.Fatalf("timings %+v", r.Timings)
	}
}

func TestLogprobsPutTheGreedyTokenOnTop(t *testing.T) {
	g := greedyGolden(t)
	c := dial(t)
	opts := greedyOpts(4)
	opts.Logprobs = kiln.Int(2)
	s, err := c.Generate(context.Background(), g.Prompt, opts)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for tok := range s.Tokens {
		ids = append(ids, tok.IDs...)
		if len(tok.Logprobs) != 1 || len(tok.Logprobs[0].Top) != 2 {
			t.Fatalf("logprobs %+v", tok.Logprobs)
		}
		lp := tok.Logprobs[0]
		if lp.ID != tok.IDs[0] || lp.Top[0].ID != tok.IDs[0] || lp.Top[1].Logprob > lp.Top[0].Logprob {
			t.Fatalf("token %v logprobs %+v", tok.IDs, lp)
		}
	}
	if !equalInts(ids, g.GeneratedTokenIDs[:4]) {
		t.Fatalf("ids %v", ids)
	}
}

func TestStopStringEndsTheTextBeforeIt(t *testing.T) {
	g := greedyGolden(t)
	c := dial(t)
	opts := greedyOpts(40)
	opts.Stop = []string{"Lily"}
	s, err := c.Generate(context.Background(), g.Prompt, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Result()
	expected := strings.SplitN(g.text(40), "Lily", 2)[0]
	if err != nil || len(expected) == len(g.text(40)) || r.Text != expected || r.FinishReason != "stop" {
		t.Fatalf("result %+v %v, want text %q", r, err, expected)
	}
}

func TestGenerateFromTokenIDsAndResultWithoutReadingTokens(t *testing.T) {
	g := greedyGolden(t)
	c := dial(t)
	s, err := c.GenerateIDs(context.Background(), g.PromptTokenIDs, greedyOpts(60))
	if err != nil {
		t.Fatal(err)
	}
	// More tokens than Tokens buffers: Result alone must not block on an unread channel.
	r, err := s.Result()
	if err != nil || !equalInts(r.IDs, g.GeneratedTokenIDs[:60]) || r.Text != g.text(60) {
		t.Fatalf("result %+v %v", r, err)
	}
}

func TestStreamsTokensBeforeTheGenerationFinishes(t *testing.T) {
	g := greedyGolden(t)
	c := dial(t)
	s, err := c.Generate(context.Background(), g.Prompt, greedyOpts(long))
	if err != nil {
		t.Fatal(err)
	}
	chunks := 0
	doneAtFirst := true
	for tok := range s.Tokens {
		if chunks == 0 {
			select {
			case <-s.Done():
			default:
				doneAtFirst = false
			}
		}
		if len(tok.IDs) < 1 {
			t.Fatalf("empty chunk %+v", tok)
		}
		chunks++
	}
	r, err := s.Result()
	if err != nil {
		t.Fatal(err)
	}
	if doneAtFirst || chunks < 2 || chunks != len(r.IDs) {
		t.Fatalf("doneAtFirst %v chunks %d ids %d", doneAtFirst, chunks, len(r.IDs))
	}
}

func TestChatStreamsATypedReply(t *testing.T) {
	c := dial(t)
	ctx := context.Background()
	s, err := c.Chat(ctx, []kiln.Message{{Role: "user", Content: "Tell me a story."}},
		&kiln.ChatOptions{SamplingOptions: kiln.SamplingOptions{MaxTokens: kiln.Int(8), Temperature: kiln.Float(0)}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for tok := range s.Tokens {
		ids = append(ids, tok.IDs...)
	}
	r, err := s.Result()
	if err != nil {
		t.Fatal(err)
	}
	if r.FinishReason != "length" && r.FinishReason != "eog" && r.FinishReason != "stop" {
		t.Fatalf("finish %q", r.FinishReason)
	}
	if !equalInts(r.IDs, ids) || r.Usage.CompletionTokens != len(ids) || r.Usage.PromptTokens <= 0 {
		t.Fatalf("result %+v, streamed %v", r, ids)
	}
	text, err := c.Detokenize(ctx, ids, nil)
	if err != nil || text != r.Text {
		t.Fatalf("text %q, detokenized %q %v", r.Text, text, err)
	}
}

func TestCancellingTheContextStopsTheGeneration(t *testing.T) {
	g := greedyGolden(t)
	c := dial(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := c.Generate(ctx, g.Prompt, greedyOpts(long))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range s.Tokens {
		n++
		if n == 3 {
			cancel()
		}
	}
	r, err := s.Result()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if r.FinishReason != "cancelled" || len(r.IDs) < 3 || len(r.IDs) >= long || !samePrefix(r.IDs, g.GeneratedTokenIDs) {
		t.Fatalf("result %q %d ids", r.FinishReason, len(r.IDs))
	}
	// The server stopped it: a new generation on the same connection still works.
	ids, err := c.Tokenize(context.Background(), g.Prompt, nil)
	if err != nil || !equalInts(ids, g.PromptTokenIDs) {
		t.Fatalf("Tokenize after cancel: %v %v", ids, err)
	}
}

func TestCancelSendsStopAndEndsTheStream(t *testing.T) {
	g := greedyGolden(t)
	c := dial(t)
	s, err := c.Generate(context.Background(), g.Prompt, greedyOpts(long))
	if err != nil {
		t.Fatal(err)
	}
	<-s.Tokens
	s.Cancel()
	r, err := s.Result()
	if err != nil || r.FinishReason != "cancelled" || len(r.IDs) >= long {
		t.Fatalf("result %+v %v", r, err)
	}
	for range s.Tokens {
		// Drains what was buffered; the channel is closed.
	}
}

func TestWrongOrMissingKeyIsErrUnauthorized(t *testing.T) {
	for _, key := range []string{"kiln_wrong_key", ""} {
		_, err := kiln.Dial(context.Background(), srv.url, kiln.Options{APIKey: key, ConnectTimeout: 5 * time.Second})
		var rpcErr *kiln.RPCError
		if !errors.Is(err, kiln.ErrUnauthorized) || !errors.As(err, &rpcErr) || rpcErr.Code != kiln.CodeUnauthorized {
			t.Fatalf("key %q: err %v, want an *RPCError with code -32001", key, err)
		}
	}
}

func TestBadParametersAreRPCErrorsWithCodeAndParam(t *testing.T) {
	g := greedyGolden(t)
	c := dial(t)
	_, err := c.Generate(context.Background(), g.Prompt, &kiln.GenerateOptions{SamplingOptions: kiln.SamplingOptions{Temperature: kiln.Float(7)}})
	var rpcErr *kiln.RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Code != kiln.CodeInvalidParams || rpcErr.Param() != "temperature" || errors.Is(err, kiln.ErrUnauthorized) {
		t.Fatalf("err %v", err)
	}
	_, err = c.ModelInfo(context.Background(), "no-such-model")
	if !errors.As(err, &rpcErr) || rpcErr.Code != kiln.CodeInvalidParams {
		t.Fatalf("err %v", err)
	}
}

func TestUnreachableServerIsAConnectionError(t *testing.T) {
	_, err := kiln.Dial(context.Background(), "ws://127.0.0.1:1/ws", kiln.Options{APIKey: home.apiKey})
	var ce *kiln.ConnectionError
	if !errors.As(err, &ce) || !errors.Is(err, kiln.ErrConnection) {
		t.Fatalf("err %v", err)
	}
}

func TestCloseIsCleanAndFinal(t *testing.T) {
	g := greedyGolden(t)
	c, err := kiln.Dial(context.Background(), srv.url, kiln.Options{APIKey: home.apiKey})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Generate(context.Background(), g.Prompt, greedyOpts(long))
	if err != nil {
		t.Fatal(err)
	}
	<-s.Tokens
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if c.State() != kiln.StateClosed {
		t.Fatalf("state %q", c.State())
	}
	if _, err := s.Result(); !errors.Is(err, kiln.ErrConnection) {
		t.Fatalf("stream err %v", err)
	}
	if _, err := c.Tokenize(context.Background(), "x", nil); !errors.Is(err, kiln.ErrConnection) {
		t.Fatalf("call err %v", err)
	}
	if err := c.Ready(context.Background()); !errors.Is(err, kiln.ErrConnection) {
		t.Fatalf("Ready err %v", err)
	}
}

func TestReconnectStopsWhenTheKeyWasRevokedMeanwhile(t *testing.T) {
	key, err := home.createKey("revoked-on-reconnect")
	if err != nil {
		t.Fatal(err)
	}
	own, err := startServer(home, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { own.kill(syscall.SIGTERM) }()
	c, err := kiln.Dial(context.Background(), own.url, kiln.Options{APIKey: key, InitialBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	own.kill(syscall.SIGKILL)
	if err := home.revokeKey("revoked-on-reconnect"); err != nil {
		t.Fatal(err)
	}
	if own, err = startServer(home, own.port); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Ready(ctx); !errors.Is(err, kiln.ErrUnauthorized) {
		t.Fatalf("Ready: %v, want ErrUnauthorized", err)
	}
	if c.State() != kiln.StateClosed {
		t.Fatalf("state %q", c.State())
	}
}

func TestServerDrainingFailsTheStreamWithItsTypedShutdownError(t *testing.T) {
	g := greedyGolden(t)
	own, err := startServer(home, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer own.kill(syscall.SIGTERM)
	c, err := kiln.Dial(context.Background(), own.url, kiln.Options{APIKey: home.apiKey, NoReconnect: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Generate(context.Background(), g.Prompt, greedyOpts(long))
	if err != nil {
		t.Fatal(err)
	}
	<-s.Tokens
	_ = own.cmd.Process.Signal(syscall.SIGTERM)
	_, err = s.Result()
	var rpcErr *kiln.RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Code != kiln.CodeShuttingDown {
		t.Fatalf("err %v, want an *RPCError with code -32002", err)
	}
}

func TestServerGoingAwayFailsTheStreamAndReconnectWorksWhenItReturns(t *testing.T) {
	g := greedyGolden(t)
	own, err := startServer(home, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { own.kill(syscall.SIGTERM) }()
	c, err := kiln.Dial(context.Background(), own.url, kiln.Options{APIKey: home.apiKey, InitialBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Generate(context.Background(), g.Prompt, greedyOpts(long))
	if err != nil {
		t.Fatal(err)
	}
	<-s.Tokens
	own.kill(syscall.SIGKILL)
	for range s.Tokens {
	}
	if _, err := s.Result(); !errors.Is(err, kiln.ErrConnection) {
		t.Fatalf("stream err %v, want a ConnectionError", err)
	}
	if _, err := c.Tokenize(context.Background(), "x", nil); !errors.Is(err, kiln.ErrConnection) {
		t.Fatalf("call err %v, want a ConnectionError", err)
	}
	if st := c.State(); st != kiln.StateReconnecting {
		t.Fatalf("state %q", st)
	}
	own, err = startServer(home, own.port)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	ids, err := c.Tokenize(ctx, g.Prompt, nil)
	if err != nil || !equalInts(ids, g.PromptTokenIDs) {
		t.Fatalf("Tokenize after reconnect: %v %v", ids, err)
	}
	s, err = c.Generate(ctx, g.Prompt, greedyOpts(5))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := s.Result(); err != nil || r.Text != g.text(5) {
		t.Fatalf("after reconnect: %+v %v", r, err)
	}
}

func TestReadmeExampleRunsAsWritten(t *testing.T) {
	g := greedyGolden(t)
	readme, err := os.ReadFile(filepath.Join(sdkDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no ```go block")
	}
	// A throwaway module that depends on this one, as a user's would.
	dir := t.TempDir()
	gomod := fmt.Sprintf("module example\n\ngo 1.19\n\nrequire github.com/kiln-llm/kiln/sdks/go v0.0.0\n\nreplace github.com/kiln-llm/kiln/sdks/go => %s\n", sdkDir)
	if gorilla := replacedGorilla(t); gorilla != "" {
		gomod += fmt.Sprintf("\nreplace github.com/gorilla/websocket => %s\n", gorilla)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), m[1], 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KILN_URL="+strings.Replace(srv.url, "http", "ws", 1)+"/ws", "KILN_API_KEY="+home.apiKey)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run README example: %v\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(string(out), g.text(20)) || !strings.Contains(string(out), "finish: length, 20 tokens") {
		t.Fatalf("output %q", out)
	}
}

// replacedGorilla is the directory this module's go.mod points gorilla/websocket at, if any.
func replacedGorilla(t *testing.T) string {
	data, err := os.ReadFile(filepath.Join(sdkDir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^replace github.com/gorilla/websocket => (\S+)`).FindSubmatch(data)
	if m == nil {
		return ""
	}
	return string(m[1])
}
