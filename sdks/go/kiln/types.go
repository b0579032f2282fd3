// Requests and results of kiln's JSON-RPC API (the wire format: server/rpc.ts in the kiln repository).

package kiln

// FinishReason says why a generation ended: "length", "stop" (a stop string), "eog" (end-of-generation
// token), "context" (context full), or "cancelled" (Stream.Cancel or generate_v1_stop).
type FinishReason string

// Usage counts tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Timings of a finished generation.
type Timings struct {
	PromptMs                float64 `json:"prompt_ms"`
	GenerateMs              float64 `json:"generate_ms"`
	PromptTokensPerSecond   float64 `json:"prompt_tokens_per_second"`
	GenerateTokensPerSecond float64 `json:"generate_tokens_per_second"`
}

// TopLogprob is one alternative at a position.
type TopLogprob struct {
	ID      int     `json:"id"`
	Text    string  `json:"text"`
	Logprob float64 `json:"logprob"`
}

// TokenLogprob is a chosen token's log-probability and the top alternatives.
type TokenLogprob struct {
	ID      int          `json:"id"`
	Logprob float64      `json:"logprob"`
	Top     []TopLogprob `json:"top"`
}

// Token is one streamed piece: the text of one or more tokens.
type Token struct {
	Text     string         `json:"text"`
	IDs      []int          `json:"ids"`
	Logprobs []TokenLogprob `json:"logprobs,omitempty"`
}

// Result is how a generation ended. A cancelled one has FinishReason "cancelled" and nil Timings.
type Result struct {
	Text         string
	IDs          []int
	FinishReason FinishReason
	Model        string
	Usage        Usage
	Timings      *Timings
}

// Model is one entry of Models() (server/openai.ts modelJson in the kiln repository).
type Model struct {
	ID            string `json:"id"`
	Object        string `json:"object"`
	Created       int64  `json:"created"`
	OwnedBy       string `json:"owned_by"`
	Architecture  string `json:"architecture"`
	Type          string `json:"type"`
	ContextLength int    `json:"context_length"`
	Size          int64  `json:"size"`
	Backend       string `json:"backend"`
}

// ModelInfo is model_v1_info's answer.
type ModelInfo struct {
	Model
	VocabSize   int     `json:"vocab_size"`
	Tokenizer   string  `json:"tokenizer"`
	BOS         *int    `json:"bos"`
	EOS         *int    `json:"eos"`
	Path        string  `json:"path"`
	LoadSeconds float64 `json:"load_seconds"`
}

// Message is one chat turn.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// SamplingOptions are OpenAI's parameters; nil fields are left to the server (its default
// temperature is 1; use Float(0) for greedy).
type SamplingOptions struct {
	Model            string          `json:"model,omitempty"`
	MaxTokens        *int            `json:"max_tokens,omitempty"`
	Temperature      *float64        `json:"temperature,omitempty"`
	TopP             *float64        `json:"top_p,omitempty"`
	TopK             *int            `json:"top_k,omitempty"`
	MinP             *float64        `json:"min_p,omitempty"`
	Seed             *int64          `json:"seed,omitempty"`
	Stop             []string        `json:"stop,omitempty"`
	PresencePenalty  *float64        `json:"presence_penalty,omitempty"`
	FrequencyPenalty *float64        `json:"frequency_penalty,omitempty"`
	RepeatPenalty    *float64        `json:"repeat_penalty,omitempty"`
	LogitBias        map[int]float64 `json:"logit_bias,omitempty"`
}

// GenerateOptions for Generate and GenerateIDs.
type GenerateOptions struct {
	SamplingOptions
	// Logprobs asks for this many top alternatives per token (0..20).
	Logprobs *int `json:"logprobs,omitempty"`
}

// ChatOptions for Chat.
type ChatOptions struct {
	SamplingOptions
	Logprobs    bool `json:"logprobs,omitempty"`
	TopLogprobs *int `json:"top_logprobs,omitempty"`
}

// Int returns a pointer to v, for optional fields.
func Int(v int) *int { return &v }

// Int64 returns a pointer to v, for optional fields.
func Int64(v int64) *int64 { return &v }

// Float returns a pointer to v, for optional fields.
func Float(v float64) *float64 { return &v }
