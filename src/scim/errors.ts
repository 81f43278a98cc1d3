import type { Response } from 'express';
import { AppError } from '../errors.js';
import { InvitationsRefusedError } from '../team/invitations.js';

/**
 * SCIM error responses (RFC 7644 §3.12): `application/scim+json` bodies with the Error schema,
 * `status` as a string, a `scimType` where the RFC has one for the case, and a `detail` that
 * says what to change — the provider's admin reads it in their provisioning log.
 */
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json';

export type ScimType = 'uniqueness' | 'invalidFilter' | 'invalidValue' | 'invalidSyntax' | 'mutability' | 'noTarget' | 'invalidPath' | 'tooMany';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

export const invalidValue = (detail: string) => new ScimError(400, detail, 'invalidValue');
export const invalidSyntax = (detail: string) => new ScimError(400, detail, 'invalidSyntax');
export const invalidFilter = (detail: string) => new ScimError(400, detail, 'invalidFilter');
export const notFound = (what: string) => new ScimError(404, `${what} not found.`);

export function sendScimError(res: Response, error: ScimError, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  const body = { schemas: [ERROR_SCHEMA], status: String(error.status), ...(error.scimType ? { scimType: error.scimType } : {}), detail: error.detail };
  res.status(error.status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** The domain's refusals as SCIM answers; undefined for anything that is not a known refusal. */
export function scimErrorOf(err: unknown): ScimError | undefined {
  if (err instanceof ScimError) return err;
  // With scim_provisioning: invite, the invitation rules answer: someone already invited or a member is a uniqueness conflict.
  if (err instanceof InvitationsRefusedError) {
    const taken = err.refused.every((r) => r.reason === 'already_pending' || r.reason === 'already_member');
    return taken ? new ScimError(409, err.message, 'uniqueness') : invalidValue(err.message);
  }
  if (!(err instanceof AppError)) return undefined;
  switch (err.code) {
    case 'email_taken':
    case 'external_id_taken':
    case 'user_name_taken':
      return new ScimError(409, err.message, 'uniqueness');
    case 'last_owner':
      return new ScimError(409, err.message);
    case 'invalid_email':
      return invalidValue(err.message);
    case 'not_found':
      return new ScimError(404, err.message);
    default:
      return undefined;
  }
}
