/**
 * Slack's user object, as users.info, users.list and the user_change event all carry it: one
 * definition, so what the app reads from an event is what it reads from a sweep. The fields are
 * Slack's (https://api.slack.com/types/user), filled from the stand-in's record.
 */
import { createHash } from 'node:crypto';
import type { StandinUser } from './types.js';

export interface UserObjectContext {
  teamId: string;
  teamDomain: string;
  botId: string;
}

export function slackUserObject(user: StandinUser, w: UserObjectContext, nowSec = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const [first, ...rest] = user.realName.split(' ');
  const team = user.teamId ?? w.teamId;
  const image = (size: number) => `https://avatars.${w.teamDomain}.test/${user.id}_${size}.png`;
  return {
    id: user.id,
    team_id: team,
    ...(user.isStranger ? { is_stranger: true } : {}),
    name: user.name,
    deleted: user.deleted ?? false,
    color: '9f69e7',
    real_name: user.realName,
    tz: user.tz ?? 'America/Los_Angeles',
    tz_label: 'Pacific Standard Time',
    tz_offset: -28800,
    profile: {
      title: '',
      phone: '',
      skype: '',
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.name,
      display_name_normalized: user.name,
      fields: null,
      status_text: '',
      status_emoji: '',
      status_emoji_display_info: [],
      status_expiration: 0,
      // Stable per profile, as Slack's is until the picture changes.
      avatar_hash: createHash('sha1').update(user.id).digest('hex').slice(0, 12),
      first_name: first ?? '',
      last_name: rest.join(' '),
      // Bots have no email; everyone else's is there with users:read.email.
      ...(user.isBot ? { bot_id: w.botId } : { email: user.email }),
      image_24: image(24),
      image_32: image(32),
      image_48: image(48),
      image_72: image(72),
      image_192: image(192),
      image_512: image(512),
      status_text_canonical: '',
      team,
    },
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    // Guests: multi-channel (restricted) and single-channel (ultra restricted).
    is_restricted: user.guest === 'multi-channel' || user.guest === 'single-channel',
    is_ultra_restricted: user.guest === 'single-channel',
    is_bot: user.isBot ?? false,
    is_app_user: false,
    updated: nowSec,
    is_email_confirmed: true,
    who_can_share_contact_card: 'EVERYONE',
    locale: 'en-US',
  };
}
