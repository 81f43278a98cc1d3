import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';

/**
 * Problem details (RFC 9457) for every API error: `application/problem+json` with `type`,
 * `title` (the HTTP status phrase, as `about:blank` asks), `status`, `detail` for a person,
 * and for invalid input `errors`, one entry per invalid field.
 */
export interface FieldError {
  /** Where: a body field (`summary`, `details.x`), a query parameter or a header (`Idempotency-Key`). */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export function problem(status: number, detail: string, errors?: FieldError[]): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) };
}

export function sendProblem(res: Response, status: number, detail: string, options: { errors?: FieldError[]; headers?: Record<string, string> } = {}): void {
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  res.status(status).type('application/problem+json').send(JSON.stringify(problem(status, detail, options.errors)));
}

/** A refusal a handler throws; the router's error handler turns it into a problem response. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }
}

export function invalid(errors: FieldError[], detail = 'The request has invalid fields; see errors.'): ApiProblem {
  return new ApiProblem(400, detail, errors);
}
