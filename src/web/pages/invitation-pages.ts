import { createHash } from 'node:crypto';
import type { Role } from '../../db/schema.js';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../errors.js';
import { escapeHtml } from '../../html.js';
import type { InvitationDescription } from '../../team/invitations.js';

/**
 * The accept page and its outcomes as pure functions from values to HTML. Every value goes
 * through escapeHtml, no page carries a script, and the only styling is the one constant
 * <style> block below, whose hash the Content-Security-Policy names (so an injected <style>
 * or style attribute would not apply either). Without CSS the pages still read top to bottom.
 */

const STYLE = `body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;background:#f6f6f6;color:#1d1c1d}
main{max-width:34rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px;border:1px solid #ddd}
h1{font-size:1.4rem;margin-top:0}
blockquote{margin:1rem 0;padding-left:1rem;border-left:3px solid #ccc;color:#444;white-space:pre-wrap}
.actions{display:flex;gap:.75rem;margin:1.5rem 0 .5rem}
button{font:inherit;padding:.5rem 1.25rem;border-radius:6px;border:1px solid #888;background:#fff;cursor:pointer}
button.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.small{color:#616061;font-size:.9rem}`;

/** The CSP source for the one stylesheet: a hash rather than 'unsafe-inline'. */
export const PAGE_STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

export interface Page {
  status: number;
  html: string;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)} · Team Manager</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

const roleWords = (role: Role) => (role === 'owner' ? 'an owner' : 'a member');
const roleMeaning = (role: Role) =>
  role === 'owner' ? 'Owners can invite people, change roles and remove members.' : 'Members can see who is on the team.';

/** What the page shows: the domain's description of a usable invitation. */
export type InvitationView = InvitationDescription;

/**
 * The invitation with Accept and Decline. The form has no action, so it posts back to this
 * very URL (the token in it is the capability); the two buttons share one field, so the
 * browser sends the one that was clicked, with or without JavaScript.
 */
export function invitationPage(v: InvitationView): Page {
  const body = `<p>${escapeHtml(v.inviterName)} invited you to join <strong>${escapeHtml(v.organizationName)}</strong>'s team as ${roleWords(v.role)}.</p>
${v.message ? `<blockquote>${escapeHtml(v.message)}</blockquote>` : ''}
<p class="small">${roleMeaning(v.role)} This invitation is for ${escapeHtml(v.email)} and expires on ${escapeHtml(v.expiresAt.toUTCString())}.</p>
<form method="post">
<div class="actions">
<button type="submit" name="decision" value="accept" class="primary">Accept</button>
<button type="submit" name="decision" value="decline">Decline</button>
</div>
</form>
<p class="small">Each invitation link works once.</p>`;
  return { status: 200, html: layout(`Join ${v.organizationName}`, body) };
}

export function acceptedPage(v: { organizationName: string; role: Role; email: string }): Page {
  const body = `<p>You joined <strong>${escapeHtml(v.organizationName)}</strong>'s team as ${roleWords(v.role)}.</p>
<p>Team Manager knows you by ${escapeHtml(v.email)}: sign in to Slack with that address and type <code>/team help</code> to see your team.</p>
<p class="small">You can close this page.</p>`;
  return { status: 200, html: layout(`Welcome to ${v.organizationName}`, body) };
}

export function declinedPage(v: { organizationName: string }): Page {
  const body = `<p>You declined the invitation to join <strong>${escapeHtml(v.organizationName)}</strong>'s team. Nothing else will happen, and this link no longer works.</p>
<p class="small">If that was a mistake, ask the person who invited you to invite you again.</p>`;
  return { status: 200, html: layout('Invitation declined', body) };
}

export type UnusableReason = 'unknown' | 'expired' | 'cancelled' | 'used' | 'sso_required' | 'wrong_user';

/**
 * Why a link can't be used. 404 for a token we don't know: its page is one constant, whatever
 * the token, so it tells nothing about other tokens. 410 Gone for invitations that existed and
 * are over. 403 when the organization accepts invitations only inside Slack. `message` is the
 * domain's sentence (it names the organization, which the holder of a real link may know).
 */
export function unusablePage(reason: UnusableReason, message: string): Page {
  switch (reason) {
    case 'unknown':
      return UNKNOWN_PAGE;
    case 'expired':
      return { status: 410, html: layout('This invitation has expired', `<p>${escapeHtml(message)}</p>`) };
    case 'cancelled':
      return { status: 410, html: layout('This invitation was cancelled', `<p>${escapeHtml(message)}</p><p class="small">If you think this is a mistake, ask an owner of the team to invite you again.</p>`) };
    case 'used':
      return { status: 410, html: layout('This invitation was already used', `<p>${escapeHtml(message)} Each invitation link works once.</p>`) };
    case 'sso_required':
    case 'wrong_user':
      return { status: 403, html: layout('Accept this invitation in Slack', `<p>${escapeHtml(message)}</p><p class="small">Accepting inside Slack proves it is you, through your workspace's sign-in.</p>`) };
  }
}

const UNKNOWN_PAGE: Page = {
  status: 404,
  html: layout(
    "This invitation link doesn't work",
    `<p>This invitation link is not valid. It may have been replaced by a newer one, or mistyped.</p>
<p class="small">Open the latest invitation email, or ask the person who invited you to send it again.</p>`,
  ),
};

/** Anything else: a bad form (400), a body too large (413), the database away (503), a bug (500). */
export function problemPage(status: 400 | 413 | 500 | 503): Page {
  const [title, text] =
    status === 400
      ? ['Choose Accept or Decline', 'The form was not sent as expected. Go back to the invitation and click Accept or Decline.']
      : status === 413
        ? ['Request too large', 'The form was not sent as expected. Go back to the invitation and click Accept or Decline.']
        : status === 503
          ? ['Please try again in a minute', DATABASE_UNAVAILABLE_MESSAGE]
          : ['Something went wrong', 'Nothing was changed. Please try again in a minute; if it keeps happening, tell the person who invited you.'];
  return { status, html: layout(title, `<p>${escapeHtml(text)}</p>`) };
}
