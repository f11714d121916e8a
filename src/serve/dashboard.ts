// The live training dashboard (`convkit train --dashboard`): a callback that serves web/dashboard.html and
// streams training as server-sent events, one per batch and one per epoch, plus the diagnosis when training
// ends. A page opened late gets every earlier event first. The callback yields to the event loop after each batch
// (fit runs native kernels synchronously), so the page is answered while training runs.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as listen } from '@hono/node-server';
import { Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { Callback, type Logs } from '../callbacks/callback.js';
import { ConfigError, invalid } from '../errors.js';
import { diagnose } from '../evaluation/diagnose.js';
import { checkOptions } from '../options.js';
import { WebAssets } from './web-assets.js';

export interface DashboardOptions {
  /** Default 6006 (TensorBoard's); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Shown as the page's heading: what is being trained. */
  title?: string;
  /**
   * Turns the epoch logs into the verdict shown when training ends: default convkit's diagnose() (overfitting,
   * underfitting, healthy, not yet converged, diverging, with evidence and remedies); null shows none.
   */
  diagnose?: ((history: { history: Record<string, number[]> }) => unknown) | null;
}

/** Events kept for pages that connect late; beyond this, batch events are thinned (epoch events are all kept). */
const MAX_KEPT_EVENTS = 20_000;

/** NaN and Infinity as strings: JSON has no such numbers, and a NaN loss must reach the page as NaN, not null. */
function jsonLogs(logs: Logs): Record<string, number | string> {
  return Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)]));
}

export class TrainingDashboard extends Callback {
  private readonly events: { event: string; data: string }[] = [];
  private readonly clients = new Set<SSEStreamingApi>();
  private readonly history: Record<string, number[]> = {};
  private epoch = 0;
  private step = 0;
  private closed: Promise<void> | null = null;
  /** Resolves when close() begins: open event streams end then. */
  private readonly closing: Promise<void>;
  private beginClosing: () => void = () => {};

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: DashboardOptions,
  ) {
    super();
    this.closing = new Promise((resolve) => {
      this.beginClosing = resolve;
    });
  }

  /**
   * Starts the dashboard's server; pass the returned callback to fit().
   * @example const dashboard = await TrainingDashboard.start({ port: 0 }); await model.fit(x, y, { callbacks: [dashboard] });
   */
  static async start(rawOptions?: DashboardOptions): Promise<TrainingDashboard> {
    const options = checkOptions<DashboardOptions>('TrainingDashboard', rawOptions, ['port', 'host', 'title', 'diagnose']);
    if (options.diagnose !== undefined && options.diagnose !== null && typeof options.diagnose !== 'function') {
      throw new ConfigError(
        invalid('TrainingDashboard', 'diagnose', 'a function of the history, or null for none', options.diagnose),
      );
    }
    const port = options.port ?? 6006;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConfigError(invalid('TrainingDashboard', 'port', 'an integer from 0 to 65535', port));
    }
    const host = options.host ?? '127.0.0.1';
    const app = new Hono();
    let dashboard: TrainingDashboard | null = null;
    new WebAssets().mount(app, 'dashboard.html');
    app.get('/events', (c) =>
      streamSSE(c, async (stream) => {
        if (!dashboard) return;
        await dashboard.attach(stream);
      }),
    );
    const server = listen({ fetch: app.fetch, port, hostname: host }) as Server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new ConfigError(
          `TrainingDashboard: port ${port} on ${host} is already in use. Hint: choose another --port (0 picks a free one).`,
        );
      }
      throw error;
    }
    const address = server.address() as AddressInfo;
    dashboard = new TrainingDashboard(server, `http://${address.address}:${address.port}`, options);
    return dashboard;
  }

  /** Epoch logs so far, Keras's History.history shape. */
  get epochLogs(): Record<string, number[]> {
    return this.history;
  }

  /** Stops the server: open pages keep what they have. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.beginClosing();
      await Promise.all([...this.clients].map((c) => c.close().catch(() => undefined)));
      this.clients.clear();
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await stopped;
    })();
    return this.closed;
  }

  override async onTrainBegin(): Promise<void> {
    this.events.length = 0;
    for (const key of Object.keys(this.history)) delete this.history[key];
    this.step = 0;
    const params = this.params;
    this.publish('begin', {
      title: this.options.title ?? 'training',
      epochs: params?.epochs ?? null,
      steps: params?.steps ?? null,
    });
    await this.yieldToServer();
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  override async onTrainBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    this.step++;
    this.publish('batch', { epoch: this.epoch, batch, step: this.step, logs: jsonLogs(logs) });
    await this.yieldToServer();
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    for (const [key, value] of Object.entries(logs)) (this.history[key] ??= []).push(value);
    this.publish('epoch', { epoch, logs: jsonLogs(logs) });
    await this.yieldToServer();
  }

  override async onTrainEnd(): Promise<void> {
    let diagnosis: unknown = null;
    const judge = this.options.diagnose === undefined ? diagnose : this.options.diagnose;
    if (judge && (this.history.loss?.length ?? 0) > 0) {
      try {
        diagnosis = judge({ history: this.history });
      } catch (error) {
        diagnosis = { verdict: 'unknown', headline: `no diagnosis: ${(error as Error).message}` };
      }
    }
    this.publish('end', { diagnosis });
    await this.yieldToServer();
  }

  private publish(event: string, payload: unknown): void {
    const message = { event, data: JSON.stringify(payload) };
    if (this.events.length >= MAX_KEPT_EVENTS) {
      // Thin the kept batch events by half (every other one): late pages still see the curve's shape.
      let keep = false;
      const thinned = this.events.filter((e) => e.event !== 'batch' || (keep = !keep));
      this.events.splice(0, this.events.length, ...thinned);
    }
    this.events.push(message);
    for (const client of this.clients) void client.writeSSE(message).catch(() => this.clients.delete(client));
  }

  /** Replays what happened so far to a new page, then keeps it until it goes away or the dashboard closes. */
  private async attach(stream: SSEStreamingApi): Promise<void> {
    // Replay by index until caught up: events published during the replay are sent too, none twice.
    let sent = 0;
    while (sent < this.events.length) await stream.writeSSE(this.events[sent++]!);
    this.clients.add(stream);
    await new Promise<void>((resolve) => {
      stream.onAbort(() => {
        this.clients.delete(stream);
        resolve();
      });
      void this.closing.then(resolve);
    });
  }

  /** One turn of the event loop for the HTTP server: accepts pages and flushes events while fit() runs. */
  private yieldToServer(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }
}
