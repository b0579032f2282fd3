// kiln dashboard logic (plain ES module, no build step). Charts come from /metrics, parsed from the
// Prometheus text format; the playground streams over the WebSocket JSON-RPC API
// (generate_v1_start / generate_v1_event / generate_v1_stop), as any client would.

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = "kiln.apiKey";
let apiKey = localStorage.getItem(KEY_STORAGE) || "";

function headers() {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

function setStatus(text) {
  $("status").textContent = text;
}

function needKey() {
  $("auth").hidden = false;
  setStatus("API key needed");
}

$("auth-form").addEventListener("submit", (e) => {
  e.preventDefault();
  apiKey = $("auth-key").value.trim();
  localStorage.setItem(KEY_STORAGE, apiKey);
  $("auth").hidden = true;
  loadModels();
});

function fmtBytes(n) {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

async function loadModels() {
  const res = await fetch("/v1/models", { headers: headers() });
  if (res.status === 401) return needKey();
  const body = await res.json();
  const tbody = $("models");
  tbody.replaceChildren();
  const select = $("pg-model");
  select.replaceChildren();
  for (const m of body.data) {
    const tr = document.createElement("tr");
    tr.className = "model";
    for (const v of [m.id, m.architecture, m.type, m.context_length, fmtBytes(m.size)]) {
      const td = document.createElement("td");
      td.textContent = String(v);
      tr.append(td);
    }
    tbody.append(tr);
    const opt = document.createElement("option");
    opt.value = opt.textContent = m.id;
    select.append(opt);
  }
  setStatus(`${body.data.length} model${body.data.length === 1 ? "" : "s"} served`);
}

// --- metrics -------------------------------------------------------------------------------------

/** Prometheus text format -> [{name, labels, value}]. */
function parseMetrics(text) {
  const out = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[2]) for (const l of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const sum = (samples, name) => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

const HISTORY = 60;
const series = { tps: [], ttft: [], e2e: [] };
let prev;

async function pollMetrics() {
  let res;
  try {
    res = await fetch("/metrics", { headers: headers() });
  } catch {
    setStatus("server unreachable");
    return;
  }
  if (res.status === 401) return needKey();
  const s = parseMetrics(await res.text());
  const now = performance.now();
  const cur = {
    t: now,
    tokens: sum(s, "kiln_generated_tokens_total"),
    ttftSum: sum(s, "kiln_time_to_first_token_seconds_sum"),
    ttftCount: sum(s, "kiln_time_to_first_token_seconds_count"),
    e2eSum: sum(s, "kiln_request_duration_seconds_sum"),
    e2eCount: sum(s, "kiln_request_duration_seconds_count"),
  };
  $("running").textContent = String(sum(s, "kiln_requests_running"));
  $("waiting").textContent = String(sum(s, "kiln_requests_waiting"));
  $("kv").textContent = `${(100 * sum(s, "kiln_kv_cache_usage_ratio")).toFixed(1)} %`;
  $("total-tokens").textContent = String(cur.tokens);
  if (prev) {
    const dt = (cur.t - prev.t) / 1000;
    const tps = (cur.tokens - prev.tokens) / dt;
    const dTtft = cur.ttftCount - prev.ttftCount;
    const dE2e = cur.e2eCount - prev.e2eCount;
    push(series.tps, tps);
    push(series.ttft, dTtft > 0 ? (1000 * (cur.ttftSum - prev.ttftSum)) / dTtft : null);
    push(series.e2e, dE2e > 0 ? (1000 * (cur.e2eSum - prev.e2eSum)) / dE2e : null);
    $("tps").textContent = tps.toFixed(1);
    if (cur.ttftCount > 0) $("ttft").textContent = ((1000 * cur.ttftSum) / cur.ttftCount).toFixed(1);
    draw($("chart-tps"), [{ data: series.tps, color: "--accent" }]);
    draw($("chart-latency"), [{ data: series.ttft, color: "--accent" }, { data: series.e2e, color: "--accent2" }]);
  }
  prev = cur;
}

function push(arr, v) {
  arr.push(v);
  if (arr.length > HISTORY) arr.shift();
}

function draw(canvas, lines) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width;
  const h = canvas.height;
  const css = getComputedStyle(document.documentElement);
  ctx.clearRect(0, 0, w, h);
  const all = lines.flatMap((l) => l.data.filter((v) => v !== null));
  const max = Math.max(1e-9, ...all) * 1.1;
  ctx.fillStyle = css.getPropertyValue("--muted");
  ctx.font = "11px system-ui";
  ctx.fillText(max.toPrecision(3), 4, 12);
  for (const line of lines) {
    ctx.strokeStyle = css.getPropertyValue(line.color);
    ctx.lineWidth = 2;
    ctx.beginPath();
    let started = false;
    line.data.forEach((v, i) => {
      if (v === null) return;
      const x = (i / (HISTORY - 1)) * w;
      const y = h - (v / max) * (h - 16);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    });
    ctx.stroke();
    // Dots too, so a lone sample (one request in the window) shows.
    ctx.fillStyle = ctx.strokeStyle;
    line.data.forEach((v, i) => {
      if (v === null) return;
      ctx.beginPath();
      ctx.arc((i / (HISTORY - 1)) * w, h - (v / max) * (h - 16), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    });
  }
}

// --- playground over the WebSocket JSON-RPC API ---------------------------------------------------

let ws;
let nextId = 1;
const pending = new Map();
let currentSub;
const earlyEvents = new Map();

function connect() {
  if (ws && ws.readyState <= WebSocket.OPEN) return ws;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
  // Browsers cannot set headers on a WebSocket: the key travels as a subprotocol.
  ws = new WebSocket(url, apiKey ? ["kiln.v1", `kiln.bearer.${apiKey}`] : []);
  ws.addEventListener("message", (e) => onMessage(JSON.parse(e.data)));
  ws.addEventListener("close", () => {
    for (const p of pending.values()) p.reject(new Error("connection closed"));
    pending.clear();
    finish("connection closed");
  });
  return ws;
}

function call(method, params) {
  const sock = connect();
  const id = nextId++;
  const send = () => sock.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
  if (sock.readyState === WebSocket.OPEN) send();
  else sock.addEventListener("open", send, { once: true });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function onMessage(msg) {
  if (msg.id !== undefined && pending.has(msg.id)) {
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`${msg.error.message} (${msg.error.code})`));
    else p.resolve(msg.result);
    return;
  }
  if (msg.method === "generate_v1_event") {
    const { subscription, result } = msg.params;
    if (subscription !== currentSub) {
      // An event can only follow its subscription id, but keep it in case the id is being stored.
      if (!earlyEvents.has(subscription)) earlyEvents.set(subscription, []);
      earlyEvents.get(subscription).push(result);
      return;
    }
    onEvent(result);
  }
}

function onEvent(ev) {
  const out = $("output");
  if (ev.event === "started") $("pg-status").textContent = `started: ${ev.prompt_tokens} prompt tokens, queued ${ev.queue_ms.toFixed(0)} ms`;
  else if (ev.event === "tokens") out.textContent += ev.text;
  else if (ev.event === "done") finish(`done: ${ev.finish_reason}, ${ev.usage.completion_tokens} tokens, ${ev.timings.generate_tokens_per_second.toFixed(1)} tokens/s`);
  else if (ev.event === "stop") finish("stopped");
  else if (ev.event === "error") finish(`error: ${ev.error.message}`);
}

function finish(text) {
  if (currentSub === undefined) return;
  currentSub = undefined;
  $("pg-status").textContent = text;
  $("generate").disabled = false;
  $("stop").disabled = true;
  document.body.dataset.playground = "idle";
}

$("playground").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("output").textContent = "";
  $("generate").disabled = true;
  $("stop").disabled = false;
  document.body.dataset.playground = "running";
  try {
    const sub = await call("generate_v1_start", {
      model: $("pg-model").value || undefined,
      prompt: $("prompt").value,
      max_tokens: Number($("max-tokens").value),
      temperature: Number($("temperature").value),
    });
    currentSub = sub;
    for (const ev of earlyEvents.get(sub) ?? []) onEvent(ev);
    earlyEvents.delete(sub);
  } catch (err) {
    currentSub = "failed";
    finish(`error: ${err.message}`);
  }
});

$("stop").addEventListener("click", () => {
  if (currentSub) void call("generate_v1_stop", { subscription: currentSub });
});

loadModels();
pollMetrics();
setInterval(pollMetrics, 1000);
