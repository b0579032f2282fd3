// The messages between the webgpu backend (main process) and its GPU process (gpu-process.ts).
// id 0 is the child's "ready" message; every request gets exactly one reply with its id.

export type GpuRequest =
  | { readonly id: number; readonly op: "load"; readonly path: string; readonly kvType: "f32" | "f16" }
  | { readonly id: number; readonly op: "create"; readonly seq: number; readonly nCtx: number }
  | {
      readonly id: number;
      readonly op: "forward";
      readonly seq: number;
      readonly tokens: readonly number[];
      readonly startPos: number;
      readonly output: "last" | "all";
    }
  | { readonly id: number; readonly op: "free"; readonly seq: number }
  | { readonly id: number; readonly op: "dispose" };

export type GpuReply =
  | { readonly id: number; readonly ok: true; readonly logits?: Float32Array; readonly adapter?: string; readonly weightBytes?: number; readonly kvStorage?: "f32" | "f16" }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code: string };
