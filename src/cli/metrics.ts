// Per-epoch metrics: one JSON object per line in metrics.jsonl (easy to tail, to load in pandas
// with read_json(lines=True), and to append to without rewriting), and the loss/accuracy charts
// drawn from them (plot.svg on disk, and the dashboard's live charts).
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../serialization/atomic.js";
import { combineCharts, lineChart } from "../internal/plot.js";

export interface EpochMetrics {
  epoch: number;
  train_loss: number;
  /** Percent. */
  train_acc: number;
  test_loss: number;
  /** Percent. */
  test_acc: number;
  lr: number;
  /** Seconds spent training this epoch (evaluation excluded). */
  epoch_time: number;
  /** Seconds spent evaluating on the test set. */
  eval_time: number;
  images_per_sec: number;
  time: string;
}

/** A running-loss sample during an epoch: x is a fractional epoch (e.g. 1.25). */
export type LossPoint = readonly [number, number];

export function readMetrics(path: string): EpochMetrics[] {
  if (!existsSync(path)) return [];
  const rows: EpochMetrics[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line) as EpochMetrics);
    } catch {
      // A line cut short by a crash is dropped, not fatal: the checkpoint is the source of truth.
    }
  }
  return rows;
}

/** Writes the whole file (atomically), e.g. after truncating to the epochs a checkpoint holds. */
export function writeMetrics(path: string, rows: readonly EpochMetrics[]): void {
  writeFileAtomic(path, new TextEncoder().encode(rows.map((r) => JSON.stringify(r) + "\n").join("")));
}

const pct = (v: number): string => `${Number(v.toFixed(1))}%`;

export function lossChart(
  rows: readonly EpochMetrics[],
  running: readonly LossPoint[] = [],
  epochs?: number,
  id = "loss-chart",
): string {
  return lineChart({
    id,
    title: "Loss",
    xLabel: "epoch",
    yLabel: "cross-entropy loss",
    xMax: epochs,
    series: [
      { name: "train (running)", points: running, color: "#9ecae1", width: 1.5 },
      { name: "train", points: rows.map((r) => [r.epoch, r.train_loss] as const), color: "#1f77b4", markers: true },
      { name: "test", points: rows.map((r) => [r.epoch, r.test_loss] as const), color: "#d62728", markers: true },
    ],
  });
}

export function accuracyChart(rows: readonly EpochMetrics[], epochs?: number, id = "accuracy-chart"): string {
  return lineChart({
    id,
    title: "Accuracy",
    xLabel: "epoch",
    yLabel: "accuracy (%)",
    xMax: epochs,
    yRange: [0, 100],
    yFormat: pct,
    series: [
      { name: "train", points: rows.map((r) => [r.epoch, r.train_acc] as const), color: "#1f77b4", markers: true },
      { name: "test", points: rows.map((r) => [r.epoch, r.test_acc] as const), color: "#d62728", markers: true },
    ],
  });
}

/** plot.svg: loss and accuracy per epoch, side by side. */
export function metricsPlot(rows: readonly EpochMetrics[], epochs?: number): string {
  return combineCharts([lossChart(rows, [], epochs), accuracyChart(rows, epochs)], 560, 340);
}
