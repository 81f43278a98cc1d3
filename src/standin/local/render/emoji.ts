/**
 * Slack's emoji shortcodes as Unicode: every one the app writes (grep `:[a-z_]+:` in src/slack
 * and src/team) and the common ones people type. An unknown shortcode stays as typed, as in
 * Slack when a workspace has no such custom emoji.
 */
const EMOJI: Readonly<Record<string, string>> = {
  // The app's own
  white_check_mark: '✅',
  warning: '⚠️',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  wave: '👋',
  x: '❌',
  no_entry_sign: '🚫',
  no_entry: '⛔',
  envelope: '✉️',
  thinking_face: '🤔',
  tada: '🎉',
  leftwards_arrow_with_hook: '↩️',
  key: '🔑',
  red_circle: '🔴',
  large_green_circle: '🟢',
  information_source: 'ℹ️',
  gear: '⚙️',
  double_vertical_bar: '⏸️',
  arrows_counterclockwise: '🔄',
  // Common in what people type
  '+1': '👍',
  thumbsup: '👍',
  '-1': '👎',
  thumbsdown: '👎',
  smile: '😄',
  slightly_smiling_face: '🙂',
  grinning: '😀',
  joy: '😂',
  wink: '😉',
  heart: '❤️',
  eyes: '👀',
  fire: '🔥',
  rocket: '🚀',
  pray: '🙏',
  clap: '👏',
  raised_hands: '🙌',
  ok_hand: '👌',
  muscle: '💪',
  100: '💯',
  heavy_check_mark: '✔️',
  ballot_box_with_check: '☑️',
  question: '❓',
  exclamation: '❗',
  bell: '🔔',
  lock: '🔒',
  unlock: '🔓',
  bust_in_silhouette: '👤',
  busts_in_silhouette: '👥',
  calendar: '📆',
  date: '📅',
  memo: '📝',
  pencil: '📝',
  mag: '🔍',
  link: '🔗',
  email: '📧',
  inbox_tray: '📥',
  outbox_tray: '📤',
  clipboard: '📋',
  bulb: '💡',
  sparkles: '✨',
  star: '⭐',
  zap: '⚡',
  coffee: '☕',
  large_blue_circle: '🔵',
  white_circle: '⚪',
  black_circle: '⚫',
  construction: '🚧',
  hammer_and_wrench: '🛠️',
  shield: '🛡️',
  wastebasket: '🗑️',
  door: '🚪',
  stopwatch: '⏱️',
  alarm_clock: '⏰',
  arrow_right: '➡️',
  arrow_left: '⬅️',
  point_right: '👉',
  heavy_plus_sign: '➕',
  heavy_minus_sign: '➖',
};

const SHORTCODE = /:([a-z0-9_+-]+):/g;

export function emojiFor(name: string): string | undefined {
  return Object.hasOwn(EMOJI, name) ? EMOJI[name] : undefined;
}

/** Known shortcodes replaced by their emoji; `wrap` turns each into something else (the mrkdwn renderer's placeholders). */
export function replaceEmoji(text: string, wrap: (emoji: string, name: string) => string = (e) => e): string {
  if (!text.includes(':')) return text;
  return text.replace(SHORTCODE, (whole, name: string) => {
    const emoji = emojiFor(name);
    return emoji === undefined ? whole : wrap(emoji, name);
  });
}
