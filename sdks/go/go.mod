module github.com/kiln-llm/kiln/sdks/go

go 1.19

require github.com/gorilla/websocket v1.5.0

// Debian's golang-github-gorilla-websocket-dev; build with GOPROXY=off GOFLAGS=-mod=mod.
// Remove this line to use the module proxy instead.
replace github.com/gorilla/websocket => /usr/share/gocode/src/github.com/gorilla/websocket
