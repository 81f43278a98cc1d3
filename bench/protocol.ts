/**
 * Messages between the benchmark (parent) and its children: the load generator
 * (bench/load.ts) and the two servers under test (bench/app-server.ts, bench/baseline.ts).
 */
import type { Sample } from './stats.js';

export interface LoadRequest {
  /** Index of the request in its run (0..n-1). */
  id: number;
  body: string;
  contentType: string;
  /** Checks of the HTTP response body (a wrong answer counts as an error). */
  expect?: { contains?: string[]; lacks?: string[] };
  /** Wait for the parent's `done` (the stand-in saw the answer) before this worker sends again. */
  awaitCompletion?: boolean;
  /** The answer travels in the HTTP response itself (e.g. `/team list`): completion = ack. */
  completionIsAck?: boolean;
}

export interface RunMessage {
  type: 'run';
  runId: number;
  url: string;
  signingSecret: string;
  concurrency: number;
  requests: LoadRequest[];
}

export type ParentToLoad =
  | RunMessage
  | { type: 'done'; runId: number; id: number; t1?: number; error?: string }
  | { type: 'exit' };

export type LoadToParent =
  | { type: 'ready' }
  | { type: 'result'; runId: number; samples: Sample[]; wallMs: number }
  | { type: 'failed'; runId: number; error: string };

export interface MemoryReport {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export type ParentToServer = { type: 'memory'; gc: boolean } | { type: 'statements' } | { type: 'cpu' } | { type: 'stop' };
export type ServerToParent =
  | { type: 'ready'; url: string }
  | { type: 'memory'; memory: MemoryReport }
  | { type: 'statements'; count: number }
  | { type: 'cpu'; micros: number }
  | { type: 'failed'; error: string };
