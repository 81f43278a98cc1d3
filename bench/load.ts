/**
 * The load generator: a child process of the benchmark (so that its CPU is not spent inside
 * the event loop being measured). It receives a batch of request bodies over IPC, signs each
 * one at send time exactly as Slack does (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`) and
 * POSTs them over keep-alive HTTP with a fixed number of requests in flight (a closed loop).
 *
 * With `awaitCompletion`, a worker also waits, after the HTTP response, for the parent to say
 * that the stand-in received the call that shows the user the answer (views.publish, a
 * response_url post, ...) before it sends its next request: like a person who clicks and
 * waits for the page.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { LoadRequest, ParentToLoad, LoadToParent, RunMessage } from './protocol.js';
import type { Sample } from './stats.js';

const now = () => performance.timeOrigin + performance.now();
const SLACK_USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';
/** Slack gives up after 3 s; anything this slow is an error here too, just reported later. */
const REQUEST_TIMEOUT_MS = 10_000;
const COMPLETION_TIMEOUT_MS = 15_000;

const send = (message: LoadToParent) => process.send!(message);
const completions = new Map<string, (t1: number | undefined, error?: string) => void>();

process.on('message', (message: ParentToLoad) => {
  if (message.type === 'run') {
    run(message).then(
      (result) => send({ type: 'result', runId: message.runId, ...result }),
      (err: unknown) => send({ type: 'failed', runId: message.runId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  } else if (message.type === 'done') {
    completions.get(`${message.runId}:${message.id}`)?.(message.t1, message.error);
  } else if (message.type === 'exit') {
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });

async function run(message: RunMessage): Promise<{ samples: Sample[]; wallMs: number }> {
  const url = new URL(message.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: message.concurrency });
  const samples: Sample[] = new Array(message.requests.length);
  let next = 0;
  const started = now();
  const worker = async () => {
    while (next < message.requests.length) {
      const request = message.requests[next++]!;
      samples[request.id] = await one(message, url, agent, request);
    }
  };
  await Promise.all(Array.from({ length: Math.min(message.concurrency, message.requests.length) }, worker));
  const wallMs = now() - started;
  agent.destroy();
  return { samples, wallMs };
}

async function one(message: RunMessage, url: URL, agent: http.Agent, request: LoadRequest): Promise<Sample> {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', message.signingSecret).update(`v0:${timestamp}:${request.body}`).digest('hex')}`;
  const headers: Record<string, string> = {
    'content-type': request.contentType,
    'content-length': String(Buffer.byteLength(request.body)),
    'user-agent': SLACK_USER_AGENT,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
  };
  // Registered before sending: the answer can reach the stand-in before the HTTP response returns.
  const completion = request.awaitCompletion ? waitForCompletion(message.runId, request.id) : undefined;
  const t0 = now();
  let status = 0;
  let text = '';
  let error: string | undefined;
  try {
    ({ status, text } = await post(url, agent, headers, request.body));
  } catch (err) {
    error = `transport: ${err instanceof Error ? err.message : String(err)}`;
  }
  const ackMs = now() - t0;
  if (!error && status !== 200) error = `HTTP ${status}${text ? `: ${text.slice(0, 120)}` : ''}`;
  if (!error && request.expect) {
    for (const needle of request.expect.contains ?? []) if (!text.includes(needle)) error = `ack lacks ${JSON.stringify(needle)}: ${text.slice(0, 160)}`;
    for (const needle of request.expect.lacks ?? []) if (text.includes(needle)) error = `ack has ${JSON.stringify(needle)}: ${text.slice(0, 160)}`;
  }
  const sample: Sample = { id: request.id, t0, ackMs, status };
  if (completion) {
    if (error) completion.cancel();
    else {
      const done = await completion.promise;
      if (done.error) error = done.error;
      else sample.completionMs = done.t1! - t0;
    }
  } else if (request.completionIsAck && !error) {
    sample.completionMs = ackMs;
  }
  if (error) sample.error = error;
  return sample;
}

function post(url: URL, agent: http.Agent, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function waitForCompletion(runId: number, id: number): { promise: Promise<{ t1?: number; error?: string }>; cancel(): void } {
  const key = `${runId}:${id}`;
  let timer: NodeJS.Timeout;
  const promise = new Promise<{ t1?: number; error?: string }>((resolve) => {
    timer = setTimeout(() => {
      completions.delete(key);
      resolve({ error: `no answer reached the stand-in within ${COMPLETION_TIMEOUT_MS} ms` });
    }, COMPLETION_TIMEOUT_MS);
    completions.set(key, (t1, error) => {
      clearTimeout(timer);
      completions.delete(key);
      resolve(error ? { error } : { t1: t1! });
    });
  });
  return {
    promise,
    cancel() {
      clearTimeout(timer);
      completions.delete(key);
    },
  };
}
