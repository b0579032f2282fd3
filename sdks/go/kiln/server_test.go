// Runs a real `kiln serve` for the tests: the kiln repository's bin/kiln.js (built with `npm run
// build`) over stories260K on loopback, with KILN_HOME in a temporary folder and one API key.
// KILN_REPO, KILN_GOLDEN and KILN_NODE override where the repository, the golden files and node are.

package kiln_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

var (
	repoDir   = envOr("KILN_REPO", mustAbs("../../.."))
	goldenDir = envOr("KILN_GOLDEN", filepath.Join(repoDir, "..", "shared", "golden"))
	nodeBin   = envOr("KILN_NODE", "node")
	sdkDir    = mustAbs("..")
)

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}

type greedy struct {
	Prompt            string   `json:"prompt"`
	PromptTokenIDs    []int    `json:"prompt_token_ids"`
	GeneratedTokenIDs []int    `json:"generated_token_ids"`
	GeneratedPieces   []string `json:"generated_pieces"`
}

// greedyGolden is llama.cpp's greedy continuation of "Once upon a time" by stories260k-f32.
func greedyGolden(t testing.TB) greedy {
	data, err := os.ReadFile(filepath.Join(goldenDir, "greedy", "stories260k-f32.json"))
	if err != nil {
		t.Fatalf("golden file: %v (set KILN_GOLDEN)", err)
	}
	var g greedy
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func (g greedy) text(n int) string { return strings.Join(g.GeneratedPieces[:n], "") }

type kilnHome struct {
	dir    string
	apiKey string
}

func newHome() (*kilnHome, error) {
	dir, err := os.MkdirTemp("", "kiln-sdk-go-")
	if err != nil {
		return nil, err
	}
	h := &kilnHome{dir: dir}
	if h.apiKey, err = h.createKey("sdk-test"); err != nil {
		return nil, err
	}
	return h, nil
}

// createKey runs `kiln api-key create --name NAME` and returns the key it prints.
func (h *kilnHome) createKey(name string) (string, error) {
	out, err := h.kiln("api-key", "create", "--name", name)
	return strings.TrimSpace(out), err
}

func (h *kilnHome) revokeKey(name string) error {
	_, err := h.kiln("api-key", "revoke", name)
	return err
}

func (h *kilnHome) kiln(args ...string) (string, error) {
	cmd := exec.Command(nodeBin, append([]string{filepath.Join(repoDir, "bin", "kiln.js")}, args...)...)
	cmd.Env = h.env()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("kiln %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

func (h *kilnHome) env() []string {
	return append(os.Environ(), "KILN_HOME="+h.dir, "KILN_HOST=", "KILN_PORT=")
}

type server struct {
	cmd  *exec.Cmd
	url  string
	port int
	wait chan struct{}
}

var listening = regexp.MustCompile(`^kiln listening on (http://\S+)$`)

// startServer runs `kiln serve --port PORT` (0: a free one) and waits for the address it prints.
func startServer(h *kilnHome, port int) (*server, error) {
	cmd := exec.Command(nodeBin, filepath.Join(repoDir, "bin", "kiln.js"), "serve", "--port", strconv.Itoa(port),
		"-m", filepath.Join(repoDir, "models", "stories260k-f32.gguf"), "--drain-timeout", "0")
	cmd.Env = h.env()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, wait: make(chan struct{})}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			s.url = m[1]
			break
		}
	}
	if s.url == "" {
		_ = cmd.Wait()
		return nil, fmt.Errorf("kiln serve did not print its address: %s", stderr.String())
	}
	go func() {
		for sc.Scan() {
		}
		_ = cmd.Wait()
		close(s.wait)
	}()
	u, _ := url.Parse(s.url)
	s.port, _ = strconv.Atoi(u.Port())
	return s, nil
}

// kill stops the server (SIGKILL: it vanishes without a goodbye) and waits for it to exit.
func (s *server) kill(sig syscall.Signal) {
	_ = s.cmd.Process.Signal(sig)
	<-s.wait
}
