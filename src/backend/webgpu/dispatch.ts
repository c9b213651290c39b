// Launching a WGSL kernel: pipelines cached by their source text, a small parameter buffer per
// launch ("meta": i32 words, f32 values stored as their bits), and launches recorded into one
// compute pass that is submitted at the end of the current JavaScript task (or every 256
// launches, or before any write or read through the queue). A training step thus goes to the GPU
// as a few command buffers instead of one per op.
//
// Ordering rules this relies on: dispatches in one pass see each other's writes (WebGPU puts a
// barrier between them), and queue.writeBuffer runs before the commands submitted after it,
// so anything that writes through the queue calls flush() first. Meta buffers come from their
// own pool and go back to it only after their pass is submitted.
import { gpuRuntime } from "./runtime.js";

const pipelines = new Map<string, GPUComputePipeline>();

function pipelineFor(device: GPUDevice, code: string): GPUComputePipeline {
  let p = pipelines.get(code);
  if (!p) {
    const module = device.createShaderModule({ code });
    p = device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
    pipelines.set(code, p);
  }
  return p;
}

/** Parameters of one launch: integers as they are, floats as their f32 bits. */
export class Meta {
  private readonly words: number[] = [];
  private static readonly f32 = new Float32Array(1);
  private static readonly i32 = new Int32Array(Meta.f32.buffer);
  get length(): number {
    return this.words.length;
  }
  int(...v: readonly number[]): this {
    for (const x of v) this.words.push(x | 0);
    return this;
  }
  float(v: number): this {
    Meta.f32[0] = v;
    this.words.push(Meta.i32[0]);
    return this;
  }
  toArray(): Int32Array {
    return Int32Array.from(this.words.length > 0 ? this.words : [0]);
  }
}

/** The WGSL declaration of the meta buffer at `binding` (group 0). */
export const metaDecl = (binding: number): string =>
  `@group(0) @binding(${binding}) var<storage, read> prm: array<i32>;\nfn mi(i: i32) -> i32 { return prm[i]; }\nfn mf(i: i32) -> f32 { return bitcast<f32>(prm[i]); }\n`;

/** Splits a workgroup count over x and y (each at most 65535). */
export function grid(groups: number): [number, number] {
  if (groups <= 65535) return [Math.max(groups, 1), 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}

interface Batch {
  device: GPUDevice;
  encoder: GPUCommandEncoder;
  pass: GPUComputePassEncoder;
  metas: GPUBuffer[];
  launches: number;
}

let batch: Batch | null = null;
const metaPool = new Map<number, GPUBuffer[]>();

function metaBuffer(device: GPUDevice, bytes: number): GPUBuffer {
  const size = Math.max(256, 2 ** Math.ceil(Math.log2(bytes)));
  const hit = metaPool.get(size)?.pop();
  return hit ?? device.createBuffer({ size, usage: 0x80 /* STORAGE */ | 0x08 /* COPY_DST */ });
}

/** Submits the launches recorded so far (a no-op when there are none). */
export function flush(): void {
  const b = batch;
  if (b === null) return;
  batch = null;
  b.pass.end();
  b.device.queue.submit([b.encoder.finish()]);
  for (const m of b.metas) {
    let list = metaPool.get(m.size);
    if (!list) metaPool.set(m.size, (list = []));
    list.push(m);
  }
}

/** Drops the pooled meta buffers (after flush; with the device's shutdown). */
export function dropMetaPool(): void {
  flush();
  for (const list of metaPool.values()) for (const m of list) m.destroy();
  metaPool.clear();
}

/**
 * Records `code` (entry point `main`) with `buffers` at bindings 0.. and `meta` at the next
 * binding, on `groups` workgroups (a count split over x/y, or an explicit [x, y, z]).
 */
export function launch(
  op: string,
  code: string,
  buffers: readonly GPUBuffer[],
  meta: Meta,
  groups: number | readonly [number, number, number],
): void {
  const { device } = gpuRuntime(op);
  const pipeline = pipelineFor(device, code);
  const words = meta.toArray();
  const metaBuf = metaBuffer(device, words.byteLength);
  device.queue.writeBuffer(metaBuf, 0, words.buffer, 0, words.byteLength);
  const entries: GPUBindGroupEntry[] = buffers.map((buffer, i) => ({ binding: i, resource: { buffer } }));
  entries.push({ binding: buffers.length, resource: { buffer: metaBuf } });
  const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  if (batch === null) {
    const encoder = device.createCommandEncoder();
    batch = { device, encoder, pass: encoder.beginComputePass(), metas: [], launches: 0 };
    queueMicrotask(flush);
  }
  batch.metas.push(metaBuf);
  batch.pass.setPipeline(pipeline);
  batch.pass.setBindGroup(0, bindGroup);
  const [x, y, z] = typeof groups === "number" ? [...grid(groups), 1] : groups;
  if (x > 0 && y > 0 && z > 0) batch.pass.dispatchWorkgroups(x, y, z);
  if (++batch.launches >= 256) flush();
}

/** WGSL: the linear workgroup index of a launch split by grid(). */
export const LINEAR_WG = "fn linearWg(wid: vec3<u32>, nw: vec3<u32>) -> i32 { return i32(wid.x + wid.y * nw.x); }\n";

/**
 * WGSL: infinities and NaN. A constant bitcast to inf is rejected at shader creation, so they are
 * read from private variables at run time.
 */
export const SPECIAL_FLOATS = `var<private> kInfBits: u32 = 0x7f800000u;
var<private> kNanBits: u32 = 0x7fc00000u;
fn infF() -> f32 { return bitcast<f32>(kInfBits); }
fn nanF() -> f32 { return bitcast<f32>(kNanBits); }
`;
