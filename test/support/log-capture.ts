import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';
import { teeLogText } from './log-scan.js';

/**
 * A real pino logger whose lines are kept in memory, so tests can read (and scan) them; they go
 * to the run's log scan too (test/support/log-scan.ts).
 */
export function captureLogs(level = 'debug'): { log: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      const text = chunk.toString();
      chunks.push(text);
      teeLogText(text);
      callback();
    },
  });
  const log = createLogger({ level, pretty: false, destination });
  const text = () => chunks.join('');
  return {
    log,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
