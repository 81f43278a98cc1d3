/**
 * The IPC side of a server under test (the app or the bare Bolt baseline), each in a child
 * process of its own: it reports its URL once listening, answers memory questions (after a
 * full GC when the process runs with --expose-gc), and stops on request or when the parent goes.
 */
import type { MemoryReport, ParentToServer, ServerToParent } from './protocol.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
  /** SQL statements sent so far (bench/query-count.ts), when the process counts them. */
  statements?: () => number;
}

export function serveChild(start: () => Promise<RunningServer>): void {
  const send = (message: ServerToParent) => process.send?.(message);
  let server: RunningServer | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(code || 1), 15_000);
    timer.unref();
    try {
      await server?.stop();
    } finally {
      // process.exit (not a natural end): --cpu-prof writes its profile on exit either way.
      process.exit(code);
    }
  };
  process.on('message', (message: ParentToServer) => {
    if (message.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (message.gc && gc) {
        gc();
        gc();
      }
      const m = process.memoryUsage();
      const memory: MemoryReport = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
      send({ type: 'memory', memory });
    } else if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', micros: user + system });
    } else if (message.type === 'statements') {
      send({ type: 'statements', count: server?.statements?.() ?? -1 });
    } else if (message.type === 'stop') {
      void stop(0);
    }
  });
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  start().then(
    (running) => {
      server = running;
      send({ type: 'ready', url: running.url });
    },
    (err: unknown) => {
      send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    },
  );
}
