import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { registerSecrets, secretsOfEnv, teeLogText } from './log-scan.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface RunningProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Resolves with the first JSON log line matching, as the process prints it. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Runs a TypeScript entry point of ours with node + tsx, as `npm start` does, with only the env given. */
export function runEntryPoint(entry: string | string[], env: Record<string, string>): RunningProcess {
  return runNode(['--import', 'tsx', ...(Array.isArray(entry) ? entry : [entry])], env);
}

/** Runs node with these arguments (e.g. the built dist/ as the Procfile does), with only the env given. */
export function runNode(args: string[], env: Record<string, string>): RunningProcess {
  registerSecrets(secretsOfEnv(env));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let partial = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    // stdout: the JSON log lines go to the log scan; other lines are the program's output
    // (a CLI's result, such as a new API key shown once; the demo's narration), not logs.
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    const complete = lines;
    out += chunk.toString();
    const logLines = complete.filter((l) => l.startsWith('{'));
    if (logLines.length > 0) teeLogText(logLines.join('\n') + '\n');
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    // stderr: all of it (a configuration error that echoed a value would be a leak).
    teeLogText(chunk.toString());
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLog(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const line of out.split('\n')) {
            if (!line.startsWith('{')) continue;
            const parsed = JSON.parse(line) as Record<string, unknown>;
            if (predicate(parsed)) {
              listeners.delete(check);
              clearTimeout(timer);
              resolve(parsed);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching log line within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}
