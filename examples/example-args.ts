// What every example shares: `--help`, its flags (a typo is one line naming it, not a stack), and
// a dataset failure (offline, say) printed as one message that names `--root`.
import { parseArgs } from "node:util";
import * as torch from "../src/index.js";

export interface ExampleFlag {
  default?: string;
  help: string;
}

/** A flag with a default is always a string; one without may be missing. */
export type FlagValues<F extends Record<string, ExampleFlag>> = {
  [K in keyof F]: F[K] extends { default: string } ? string : string | undefined;
};

/**
 * Parses `--name value` flags (always including --root and --help); prints usage and exits on
 * --help, prints the problem and usage and exits 2 on an unknown or malformed flag.
 */
export function exampleArgs<F extends Record<string, ExampleFlag>>(usage: string, flags: F): FlagValues<F> {
  const all: Record<string, ExampleFlag> = flags;
  const text = (): string =>
    [
      `Usage: ${usage}`,
      "",
      ...Object.entries(all).map(
        ([k, f]) => `  --${k.padEnd(12)} ${f.help}${f.default !== undefined ? ` (default: ${f.default})` : ""}`,
      ),
      `  --${"help".padEnd(12)} show this help`,
    ].join("\n");
  const options: Record<string, { type: "string"; default?: string }> = {};
  for (const [k, f] of Object.entries(all))
    options[k] = f.default !== undefined ? { type: "string", default: f.default } : { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ options: { ...options, help: { type: "boolean", short: "h" } }, strict: true })
      .values as typeof values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${text()}\n`);
    process.exit(2);
  }
  if (values.help === true) {
    process.stdout.write(`${text()}\n`);
    process.exit(0);
  }
  return values as FlagValues<F>;
}

/** Runs a dataset constructor; a failure (missing, offline) is one message and exit code 1. */
export function loadData<T>(what: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    process.stderr.write(
      `${what}: ${(e as Error).message}\nPass --root DIR to use a folder that already holds the data.\n`,
    );
    process.exit(1);
  }
}

/** The `--device` flag every training example takes. */
export const DEVICE_FLAG = {
  default: "cpu",
  help: "cpu, or webgpu (a GPU through WebGPU: the `webgpu` npm package in Node)",
} as const satisfies ExampleFlag;

/**
 * Opens `--device`: webgpu needs one awaited adapter request before tensors move there; no
 * adapter is one message and exit code 1. Returns the device name for `.to(device)`.
 */
export async function openDevice(device: string): Promise<string> {
  if (device === "cpu") return device;
  if (device !== "webgpu") {
    process.stderr.write(`--device: unknown device '${device}' (cpu or webgpu)\n`);
    process.exit(2);
  }
  if (!(await torch.webgpu.init())) {
    process.stderr.write(`--device webgpu: ${torch.webgpu.unavailableReason() ?? "no WebGPU adapter"}\n`);
    process.exit(1);
  }
  console.log(`device: webgpu (${torch.webgpu.getDeviceName() ?? "?"})`);
  return device;
}

/** Releases the GPU at the end (a live Dawn instance keeps Node from exiting). */
export function closeDevice(device: string): void {
  if (device === "webgpu") torch.webgpu.shutdown();
}
