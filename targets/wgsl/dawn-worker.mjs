// @ts-check
// The WebGPU side of the wgsl target, run as a child process (`node --no-opt`: Dawn in Node crashes when
// the JS thread runs hot optimized code, so this process keeps V8's optimizer off and does nothing else).
// It owns one Dawn device (the `webgpu` package) and answers the parent (targets/wgsl/target.ts) over
// the fork IPC channel, advanced serialization, so typed arrays pass as they are:
//   {id, op: "info"}                                    -> {id, ok, adapter, features}
//   {id, op: "validate", code}                          -> {id, ok, messages: [{type, line, column, message}]}
//   {id, op: "run", code, entry, bindings, dispatch}    -> {id, ok, outputs: {binding: Uint8Array}}
// bindings: [{binding, kind: "read" | "read_write" | "uniform", data: Uint8Array}]. Failures answer
// {id, ok: false, error}. Plain JavaScript because it is started by path from source and from dist alike.
import { create, globals } from "webgpu";

Object.assign(globalThis, globals);

// the instance and adapter must stay referenced while the device lives: if the GC collects them, Dawn
// tears the instance down under the device and the process crashes
/** @type {any} */
let gpu;
/** @type {any} */
let adapter;
/** @type {any} */
let device;
/** @type {string} */
let adapterText = "";
/** @type {string[]} */
let adapterFeatures = [];
/** @type {string[]} */
const uncaptured = [];
/** @type {Map<string, any>} */
const pipelines = new Map();

export async function open() {
  if (device) return device;
  gpu = create([]);
  adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error("no WebGPU adapter (no Vulkan driver found)");
  const i = adapter.info;
  adapterText = [i.vendor, i.architecture, i.description].filter(Boolean).join(" / ");
  adapterFeatures = [...adapter.features].sort();
  // optional WGSL features a kernel may `enable`, taken whenever the adapter has them
  const requiredFeatures = ["shader-f16", "subgroups"].filter((f) => adapter.features.has(f));
  device = await adapter.requestDevice({ requiredFeatures });
  device.addEventListener("uncapturederror", (/** @type {any} */ e) => uncaptured.push(String(e.error?.message ?? e)));
  device.lost.then((/** @type {any} */ info) => uncaptured.push(`device lost: ${info.message}`));
  return device;
}

/** @param {string} code */
export async function validate(code) {
  const dev = await open();
  dev.pushErrorScope("validation");
  const module = dev.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  await dev.popErrorScope();
  return info.messages.map((/** @type {any} */ m) => ({ type: m.type, line: m.lineNum, column: m.linePos, message: m.message }));
}

const round4 = (/** @type {number} */ n) => Math.max(4, Math.ceil(n / 4) * 4);

/**
 * @param {string} code
 * @param {string} entry
 * @param {{binding: number, kind: string, data: Uint8Array}[]} bindings
 * @param {[number, number, number]} dispatch
 */
export async function run(code, entry, bindings, dispatch) {
  const dev = await open();
  const U = globalThis.GPUBufferUsage;
  dev.pushErrorScope("validation");
  dev.pushErrorScope("out-of-memory");
  let pipeline = pipelines.get(`${entry}\0${code}`);
  if (!pipeline) {
    const module = dev.createShaderModule({ code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((/** @type {any} */ m) => m.type === "error");
    if (errors.length) throw new Error(errors.map((/** @type {any} */ m) => `${m.lineNum}:${m.linePos}: ${m.message}`).join("\n"));
    pipeline = await dev.createComputePipelineAsync({ layout: "auto", compute: { module, entryPoint: entry } });
    pipelines.set(`${entry}\0${code}`, pipeline);
  }
  const made = bindings.map((b) => {
    const size = round4(b.data.byteLength);
    const usage = b.kind === "uniform" ? U.UNIFORM | U.COPY_DST : U.STORAGE | U.COPY_DST | U.COPY_SRC;
    const buffer = dev.createBuffer({ size, usage, mappedAtCreation: true });
    new Uint8Array(buffer.getMappedRange()).set(b.data);
    buffer.unmap();
    return { ...b, buffer, size };
  });
  const bindGroup = dev.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: made.map((m) => ({ binding: m.binding, resource: { buffer: m.buffer } })),
  });
  const enc = dev.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(dispatch[0], dispatch[1], dispatch[2]);
  pass.end();
  const readbacks = made
    .filter((m) => m.kind === "read_write")
    .map((m) => {
      const rb = dev.createBuffer({ size: m.size, usage: U.MAP_READ | U.COPY_DST });
      enc.copyBufferToBuffer(m.buffer, 0, rb, 0, m.size);
      return { m, rb };
    });
  dev.queue.submit([enc.finish()]);
  /** @type {Record<number, Uint8Array>} */
  const outputs = {};
  for (const { m, rb } of readbacks) {
    await rb.mapAsync(globalThis.GPUMapMode.READ);
    outputs[m.binding] = new Uint8Array(rb.getMappedRange()).slice(0, m.data.byteLength);
    rb.unmap();
    rb.destroy();
  }
  for (const m of made) m.buffer.destroy();
  const oom = await dev.popErrorScope();
  const invalid = await dev.popErrorScope();
  const err = invalid ?? oom;
  if (err) throw new Error(err.message);
  if (uncaptured.length) throw new Error(uncaptured.splice(0).join("\n"));
  return outputs;
}

process.on("message", async (/** @type {any} */ msg) => {
  const reply = (/** @type {object} */ r) => process.send?.({ id: msg.id, ...r });
  try {
    if (msg.op === "info") {
      await open();
      reply({ ok: true, adapter: adapterText, features: adapterFeatures });
    } else if (msg.op === "validate") {
      reply({ ok: true, messages: await validate(msg.code) });
    } else if (msg.op === "run") {
      reply({ ok: true, outputs: await run(msg.code, msg.entry, msg.bindings, msg.dispatch) });
    } else {
      reply({ ok: false, error: `unknown op ${msg.op}` });
    }
  } catch (e) {
    reply({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
process.on("disconnect", () => {
  device?.destroy();
  process.exit(0);
});
