// `flint train --dashboard`: a small node:http server on 127.0.0.1 that serves one page and
// pushes the training state to it with Server-Sent Events (the page falls back to polling
// /api/state). Only loopback is bound, and requests whose Host header is not a loopback name are
// refused, so another web page cannot read the dashboard through DNS rebinding.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from "./dashboard-page.js";
import { accuracyChart, lossChart, type EpochMetrics, type LossPoint } from "./metrics.js";

export type RunStatus = "starting" | "training" | "evaluating" | "done" | "interrupted" | "failed";

export interface DashboardState {
  status: RunStatus;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  imagesPerSec: number;
  loss: number;
  acc: number;
  /** Seconds left in the current epoch. */
  eta: number;
  history: EpochMetrics[];
  /** Running training loss samples, x in fractional epochs. */
  running: LossPoint[];
  /** One line describing the run (model, optimizer, data). */
  config: string;
}

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

/** At most this many running-loss points are sent (older ones are thinned out). */
const MAX_RUNNING = 600;

function thin(points: LossPoint[]): LossPoint[] {
  if (points.length <= MAX_RUNNING) return points;
  const step = points.length / MAX_RUNNING;
  const out: LossPoint[] = [];
  for (let i = 0; i < MAX_RUNNING; i++) out.push(points[Math.floor(i * step)]);
  out.push(points[points.length - 1]);
  return out;
}

export class Dashboard {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private readonly keepAlive: NodeJS.Timeout;
  readonly state: DashboardState = {
    status: "starting",
    epoch: 0,
    epochs: 0,
    batch: 0,
    batches: 0,
    imagesPerSec: 0,
    loss: 0,
    acc: 0,
    eta: NaN,
    history: [],
    running: [],
    config: "",
  };

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    // Comments keep idle SSE connections open through proxies and let us notice dead clients.
    this.keepAlive = setInterval(() => {
      for (const c of this.clients) c.write(": keep-alive\n\n");
    }, 15000);
    this.keepAlive.unref();
  }

  /** Starts listening on 127.0.0.1:port (0 = any free port). */
  static async start(port: number, strictPort: boolean): Promise<Dashboard> {
    let dash: Dashboard | null = null;
    const server = createServer((req, res) => {
      if (dash === null) {
        res.writeHead(503).end();
        return;
      }
      dash.handle(req, res);
    });
    const listen = (p: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const onError = (e: Error): void => reject(e);
        server.once("error", onError);
        server.listen(p, "127.0.0.1", () => {
          server.off("error", onError);
          resolve();
        });
      });
    try {
      await listen(port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || strictPort) {
        throw new Error(`dashboard: cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`);
      }
      await listen(0); // the default port is taken (another run?): use any free one
    }
    const addr = server.address() as AddressInfo;
    dash = new Dashboard(server, `http://127.0.0.1:${addr.port}/`);
    return dash;
  }

  /** Merges new values into the state and schedules a push to the pages (at most 4 per second). */
  update(partial: Partial<DashboardState>): void {
    Object.assign(this.state, partial);
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.broadcast();
      }, 250);
    }
  }

  /** Pushes the state now (end of an epoch, end of the run). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.broadcast();
  }

  /** The JSON the page renders: the state plus the two charts as SVG markup. */
  payload(): string {
    const s = this.state;
    const running = thin(s.running);
    return JSON.stringify({
      ...s,
      running,
      eta: Number.isFinite(s.eta) ? s.eta : -1,
      charts: {
        loss: lossChart(s.history, running, s.epochs),
        accuracy: accuracyChart(s.history, s.epochs),
      },
    });
  }

  private broadcast(): void {
    if (this.clients.size === 0) return;
    const msg = `data: ${this.payload()}\n\n`;
    for (const c of this.clients) c.write(msg);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) {
      res.writeHead(403, { "Content-Type": "text/plain" }).end("forbidden host\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain" }).end("method not allowed\n");
      return;
    }
    const path = (req.url ?? "/").split("?")[0];
    const send = (type: string, body: string): void => {
      res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    switch (path) {
      case "/":
      case "/index.html":
        return send("text/html; charset=utf-8", PAGE_HTML);
      case "/app.js":
        return send("text/javascript; charset=utf-8", PAGE_JS);
      case "/style.css":
        return send("text/css; charset=utf-8", PAGE_CSS);
      case "/api/state":
        return send("application/json", this.payload());
      case "/chart/loss.svg":
        return send("image/svg+xml", lossChart(this.state.history, thin(this.state.running), this.state.epochs));
      case "/chart/accuracy.svg":
        return send("image/svg+xml", accuracyChart(this.state.history, this.state.epochs));
      case "/events": {
        res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": "text/event-stream", Connection: "keep-alive" });
        res.write(`retry: 2000\n\ndata: ${this.payload()}\n\n`);
        this.clients.add(res);
        req.on("close", () => this.clients.delete(res));
        return;
      }
      case "/favicon.ico":
        res.writeHead(204).end();
        return;
      default:
        res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
    }
  }

  /** Sends the final state, tells the pages the run ended, and stops the server. */
  async close(): Promise<void> {
    this.flush();
    clearInterval(this.keepAlive);
    for (const c of this.clients) c.end("event: end\ndata: {}\n\n");
    this.clients.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
