// The node (V8) flags `flint run` starts every rank with (also with --nproc-per-node 1, so a
// single-process run is measured with the same settings as each rank of a larger job).
//   --initial-old-space-size=128: a floor of 128 MB under V8's old-generation allocation limit.
//     A training process's JavaScript heap is small (the seed CNN's: ~17 MB of tensor objects,
//     autograd nodes and modules) while its tensors' ArrayBuffers (off-heap, ~34 MB per step)
//     keep the young generation cycling. V8 sets the limit to ~2.3x the live size (~40 MB) and
//     starts incremental marking as soon as the room left under it is below the young
//     generation's capacity, which after every mark-compact is already the case: marking never
//     stops (1.4-1.8 mark-compacts per step with 2 ranks, 0.5 with one, each ~10-20 ms of CPU on
//     V8's concurrent-marking threads). With 2 ranks on 2 cores those threads take CPU from the
//     other rank, and every major pause of one rank stalls the other at the next all-reduce.
//     With the floor, only the external-memory mark-compacts remain (~0.2 per step) and the GC
//     threads' CPU drops from ~20 to ~5 ms per step (bench/ddp-worker.ts --profile). Heaps
//     above ~60 MB get limits above 128 MB from V8's own growth rule: the flag changes nothing there.
//     Cost: the seed CNN's process peaks at ~460 MB RSS instead of ~405 MB (more garbage between
//     mark-compacts). Not set at runtime (torch.tuneProcess): V8 sizes its heap once, at start-up
//     (and changing its GC threading flags at runtime crashes V8).
// FLINT_KEEP_V8_FLAGS=1 starts the ranks without them (as tuneProcess leaves V8 alone then);
// a flag the user already gives in NODE_OPTIONS is not overridden.
export const RANK_V8_FLAGS: readonly string[] = ["--initial-old-space-size=128"];

/** node's flags for a rank process, before the script (empty with FLINT_KEEP_V8_FLAGS=1). */
export function rankNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.FLINT_KEEP_V8_FLAGS === "1") return [];
  const user = (env.NODE_OPTIONS ?? "").replace(/_/g, "-");
  return RANK_V8_FLAGS.filter((f) => !user.includes(f.split("=")[0]));
}
