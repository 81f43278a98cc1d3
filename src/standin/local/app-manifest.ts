/**
 * What the app's manifest tells Slack about its surfaces, read by the local Slack the way Slack
 * reads it when the app is created: today, whether the Messages tab is read-only. With
 * `messages_tab_read_only_enabled` Slack shows no composer in the app's DM (people cannot type
 * to the app there, commands included), so the app never gets a `message.im` from it.
 */
import manifest from '../../../manifest/manifest.json' with { type: 'json' };

export const MESSAGES_TAB_READ_ONLY: boolean = manifest.features.app_home.messages_tab_read_only_enabled === true;

/** Slack's line in place of the composer of a read-only Messages tab. */
export const MESSAGES_TAB_OFF = 'Sending messages to this app has been turned off.';
