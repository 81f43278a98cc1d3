import express, { Router, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { isDatabaseUnavailable, type Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { acceptInvitation, declineInvitation, describeInvitation, InvitationUnusableError } from '../team/invitations.js';
import { acceptedPage, declinedPage, invitationPage, PAGE_STYLE_SOURCE, problemPage, unusablePage, type Page } from './pages/invitation-pages.js';

/**
 * The accept page an invitation email links to: GET shows the invitation with Accept / Decline,
 * POST (a plain form, no JavaScript) does it and renders the outcome. The token in the URL is
 * the capability, so there is no session and no CSRF token: a forged POST would need the token,
 * and whoever has it can click the button anyway. Accept and decline are single-use in the
 * service, so a refresh that re-posts only shows "already used".
 */
export function invitationRoutes(deps: { db: Db; log: Logger }): Router {
  const log = deps.log.child({ subsystem: 'accept-page' });
  const router = Router();

  const show: RequestHandler<{ token: string }> = async (req, res) => {
    sendPage(res, invitationPage(await describeInvitation(deps.db, req.params.token)));
  };

  // Parsed on this route only, small: the form has one field.
  const parseForm = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 });

  const decide: RequestHandler<{ token: string }> = async (req, res) => {
    const decision: unknown = (req.body as Record<string, unknown> | undefined)?.decision;
    if (decision !== 'accept' && decision !== 'decline') {
      sendPage(res, problemPage(400));
      return;
    }
    const via = { kind: 'link', token: req.params.token } as const;
    if (decision === 'accept') {
      const { member, organization, invitation } = await acceptInvitation(deps.db, via);
      log.info({ invitation: invitation.id, member: member.id }, 'invitation accepted on the accept page');
      sendPage(res, acceptedPage({ organizationName: organization.name, role: member.role, email: member.email }));
    } else {
      const { organization, invitation } = await declineInvitation(deps.db, via);
      log.info({ invitation: invitation.id }, 'invitation declined on the accept page');
      sendPage(res, declinedPage({ organizationName: organization.name }));
    }
  };

  // Every failure on these routes is a page too, with the same headers (never Express's default HTML).
  const pageErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    if (err instanceof InvitationUnusableError) {
      log.info({ reason: err.code }, 'invitation link not usable');
      sendPage(res, unusablePage(err.code as Parameters<typeof unusablePage>[0], err.message));
    } else if (isBodyParserError(err)) {
      sendPage(res, problemPage(err.type === 'entity.too.large' ? 413 : 400));
    } else if (isDatabaseUnavailable(err)) {
      log.warn({ err }, 'accept page: database unavailable');
      res.setHeader('Retry-After', '30');
      sendPage(res, problemPage(503));
    } else {
      log.error({ err }, 'accept page failed');
      sendPage(res, problemPage(500));
    }
  };

  router.route('/invitations/:token').get(show, pageErrors).post(parseForm, decide, pageErrors);
  return router;
}

/** No scripts at all; the one stylesheet by hash; forms only back to us; never framed. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${PAGE_STYLE_SOURCE}`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function sendPage(res: Response, page: Page): void {
  res.status(page.status);
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  // The URL holds the token: no Referer may carry it anywhere, no cache may keep the page.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  res.type('html').send(page.html);
}

function isBodyParserError(err: unknown): err is { type: string; status: number } {
  const e = err as { type?: unknown; status?: unknown } | null;
  return typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}
