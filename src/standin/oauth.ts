import { randomBytes } from 'node:crypto';

/**
 * Slack's side of "Add to Slack" (OAuth v2), for the stand-in: the consent page at
 * /oauth/v2/authorize (which, like Slack once the person clicks Allow, redirects back with a
 * one-time code and the state untouched) and `oauth.v2.access`, which trades the code for a
 * bot token of that workspace. Each install mints a token of its own, so a test can tell which
 * workspace's token every Web API call used (RecordedCall.token).
 */

export interface StandinWorkspace {
  teamId: string;
  teamName: string;
  /** Set for a workspace of an Enterprise Grid org. */
  enterpriseId?: string;
  enterpriseName?: string;
  /** Its public and private channels (ids are unique across Slack); the stand-in's own workspace has its `channels`. */
  channels?: string[];
}

export interface IssuedToken {
  token: string;
  workspace: StandinWorkspace;
  /** Org-wide install: the token serves every workspace of the enterprise. */
  isEnterpriseInstall: boolean;
  installerUserId: string;
}

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  botUserId: string;
  botId: string;
  appId: string;
  /** Token rotation on: installs get a refresh token and tokens that expire after this long (Slack: 12 hours). */
  rotationExpiresInSec?: number;
}

type Reply = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };
const fail = (error: string): Reply => ({ status: 200, body: { ok: false, error } });

export class StandinOAuth {
  /** Where Slack sends the browser after consent when the authorize URL names no redirect_uri (the app's configured one). */
  redirectUrl: string | undefined;
  readonly tokens = new Map<string, IssuedToken>();
  private readonly codes = new Map<string, { token: IssuedToken; redirectUri: string | undefined; used: boolean }>();
  /** Refresh token → the install it renews; each is good once (Slack hands out a new one each time). */
  private readonly refreshTokens = new Map<string, IssuedToken>();
  /** How many times a token was refreshed (grant_type=refresh_token). */
  refreshes = 0;

  constructor(private readonly options: OAuthOptions) {}

  /**
   * The consent page, answered as if the person clicked Allow: 302 to the redirect URI with a
   * code and the state. `team` picks the workspace (Slack's own parameter); `user` who installs
   * (a stand-in extra); `enterprise_install=true` makes it org-wide. `deny=1` plays Cancel:
   * Slack then redirects with `error=access_denied`.
   */
  authorize(url: URL, workspaceOf: (teamId: string | null) => StandinWorkspace | undefined): { status: number; location?: string; text?: string } {
    if (url.searchParams.get('client_id') !== this.options.clientId) return { status: 400, text: 'invalid_client_id' };
    const redirect = url.searchParams.get('redirect_uri') ?? this.redirectUrl;
    if (!redirect) return { status: 400, text: 'no redirect_uri and none configured' };
    const state = url.searchParams.get('state') ?? '';
    const back = new URL(redirect);
    if (url.searchParams.get('deny') === '1') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('state', state);
      return { status: 302, location: back.toString() };
    }
    const workspace = workspaceOf(url.searchParams.get('team'));
    if (!workspace) return { status: 400, text: 'unknown team' };
    const isEnterpriseInstall = url.searchParams.get('enterprise_install') === 'true' && workspace.enterpriseId !== undefined;
    const issued: IssuedToken = {
      token: `xoxb-${isEnterpriseInstall ? workspace.enterpriseId : workspace.teamId}-${randomBytes(12).toString('hex')}`,
      workspace,
      isEnterpriseInstall,
      installerUserId: url.searchParams.get('user') ?? 'U0ALICE001',
    };
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { token: issued, redirectUri: url.searchParams.get('redirect_uri') ?? undefined, used: false });
    back.searchParams.set('code', code);
    back.searchParams.set('state', state);
    return { status: 302, location: back.toString() };
  }

  /** oauth.v2.access: client credentials in the body or as HTTP Basic, and a code used at most once. */
  access(args: Record<string, unknown>, basicAuth: string | undefined): Reply {
    const [basicId, basicSecret] = basicAuth ? Buffer.from(basicAuth, 'base64').toString('utf8').split(':') : [];
    const clientId = typeof args.client_id === 'string' ? args.client_id : basicId;
    const clientSecret = typeof args.client_secret === 'string' ? args.client_secret : basicSecret;
    if (clientId !== this.options.clientId) return fail('invalid_client_id');
    if (clientSecret !== this.options.clientSecret) return fail('bad_client_secret');
    if (args.grant_type === 'refresh_token') return this.refresh(args.refresh_token);
    const code = typeof args.code === 'string' ? this.codes.get(args.code) : undefined;
    if (!code || code.used) return fail('invalid_code');
    if (code.redirectUri !== undefined && args.redirect_uri !== code.redirectUri) return fail('bad_redirect_uri');
    code.used = true;
    const { token, workspace, isEnterpriseInstall, installerUserId } = code.token;
    this.tokens.set(token, code.token);
    const rotation = this.rotation(code.token);
    const enterprise = workspace.enterpriseId ? { id: workspace.enterpriseId, name: workspace.enterpriseName ?? workspace.enterpriseId } : null;
    return {
      status: 200,
      body: {
        ok: true,
        app_id: this.options.appId,
        authed_user: { id: installerUserId },
        scope: this.options.scopes.join(','),
        token_type: 'bot',
        access_token: token,
        bot_user_id: this.options.botUserId,
        team: isEnterpriseInstall ? null : { id: workspace.teamId, name: workspace.teamName },
        enterprise,
        is_enterprise_install: isEnterpriseInstall,
        ...rotation,
      },
    };
  }

  private rotation(issued: IssuedToken): { refresh_token?: string; expires_in?: number } {
    if (this.options.rotationExpiresInSec === undefined) return {};
    const refreshToken = `xoxe-1-${randomBytes(16).toString('hex')}`;
    this.refreshTokens.set(refreshToken, issued);
    return { refresh_token: refreshToken, expires_in: this.options.rotationExpiresInSec };
  }

  private refresh(refreshToken: unknown): Reply {
    const issued = typeof refreshToken === 'string' ? this.refreshTokens.get(refreshToken) : undefined;
    if (!issued) return fail('invalid_refresh_token');
    this.refreshTokens.delete(refreshToken as string);
    this.refreshes += 1;
    const renewed: IssuedToken = { ...issued, token: `xoxe.xoxb-${issued.workspace.teamId}-${randomBytes(12).toString('hex')}` };
    this.tokens.set(renewed.token, renewed);
    return { status: 200, body: { ok: true, token_type: 'bot', access_token: renewed.token, scope: this.options.scopes.join(','), ...this.rotation(renewed) } };
  }

  /** Slack's answer to auth.test for a token this flow issued. */
  authTest(issued: IssuedToken): Record<string, unknown> {
    const { workspace } = issued;
    return {
      ok: true,
      url: `https://${workspace.teamName.toLowerCase().replace(/[^a-z0-9-]/g, '-')}.slack.com/`,
      team: issued.isEnterpriseInstall ? (workspace.enterpriseName ?? workspace.enterpriseId) : workspace.teamName,
      user: 'team-manager',
      team_id: issued.isEnterpriseInstall ? workspace.enterpriseId : workspace.teamId,
      user_id: this.options.botUserId,
      bot_id: this.options.botId,
      ...(workspace.enterpriseId ? { enterprise_id: workspace.enterpriseId } : {}),
      is_enterprise_install: issued.isEnterpriseInstall,
    };
  }
}
