// A small parser for the Prometheus text exposition format (version 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/): # HELP / # TYPE lines and samples
// `name{label="value",...} value`. Written from the format's description, not from prom-client, so the
// metrics tests read /metrics the way a Prometheus server does.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

// Prometheus reads values with Go's strconv.ParseFloat, which takes NaN and Inf in any letter case
// (prom-client writes "Nan" for an empty event-loop-lag gauge).
function parseValue(s: string): number {
  const l = s.toLowerCase();
  if (l === "+inf" || l === "inf") return Infinity;
  if (l === "-inf") return -Infinity;
  if (l === "nan") return NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`bad sample value ${JSON.stringify(s)}`);
  return v;
}

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(s.slice(i));
    if (!m) throw new Error(`bad label set ${JSON.stringify(s)} at ${i}`);
    i += m[0].length;
    let v = "";
    for (;;) {
      const c = s[i++];
      if (c === undefined) throw new Error(`unterminated label value in ${JSON.stringify(s)}`);
      if (c === '"') break;
      if (c === "\\") {
        const e = s[i++];
        v += e === "n" ? "\n" : e;
      } else v += c;
    }
    out[m[1]!] = v;
    const rest = /^\s*,?/.exec(s.slice(i))!;
    i += rest[0].length;
  }
  return out;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (m) (m[1] === "TYPE" ? types : help).set(m[2]!, m[3]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`bad sample line ${JSON.stringify(line)}`);
    samples.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2]) : {}, value: parseValue(m[3]!) });
  }
  return { types, help, samples };
}

/** The sum of every sample named `name` whose labels include `labels`. */
export function value(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  return e.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}
