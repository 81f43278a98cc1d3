/**
 * The bot scopes Team Manager asks for, the same in every manifest (test/unit/manifest.test.ts
 * holds them equal) and in the "Add to Slack" request of a distributed deployment.
 */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'users:read',
  'users:read.email',
  'im:write',
  'channels:history',
  'groups:history',
  'im:history',
] as const;
