// Worker side of runSync(): imports the target module, awaits the named export with the given
// arguments, and posts the value or the error back through the bridge.
import { workerData } from "node:worker_threads";
import { postOnBridge, type Bridge } from "./sync-bridge.js";

interface Job {
  bridge: Bridge;
  target: string;
  exportName: string;
  args: unknown[];
}

const job = workerData as Job;
try {
  const mod = (await import(job.target)) as Record<string, unknown>;
  const fn = mod[job.exportName];
  if (typeof fn !== "function") throw new Error(`runSync: ${job.target} has no function export '${job.exportName}'`);
  const value: unknown = await (fn as (...a: unknown[]) => unknown)(...job.args);
  postOnBridge(job.bridge, { type: "result", value });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  postOnBridge(job.bridge, { type: "error", name: err.name, message: err.message, stack: err.stack });
}
