/**
 * Slack's date formatting, `<!date^1765000000^{date_short_pretty} at {time}^https://link|fallback>`:
 * Slack shows the tokens in the reader's time zone; the local Slack has no reader's zone, so
 * it shows them in UTC (the fallback is in the title). A token Slack does not know, or a
 * timestamp that is not one, shows the fallback text, as Slack does.
 */
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86_400_000;

const ordinal = (n: number): string => {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
};

function time(d: Date, seconds: boolean): string {
  const h = d.getUTCHours();
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = seconds ? `:${String(d.getUTCSeconds()).padStart(2, '0')}` : '';
  return `${h % 12 === 0 ? 12 : h % 12}:${mm}${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

function relativeDay(d: Date, now: Date): string | undefined {
  const days = Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) / DAY_MS);
  return days === 0 ? 'Today' : days === -1 ? 'Yesterday' : days === 1 ? 'Tomorrow' : undefined;
}

function ago(d: Date, now: Date): string {
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  const abs = Math.abs(s);
  const [n, unit] =
    abs < 60 ? [abs, 'second'] : abs < 3600 ? [Math.floor(abs / 60), 'minute'] : abs < 86_400 ? [Math.floor(abs / 3600), 'hour'] : abs < 30 * 86_400 ? [Math.floor(abs / 86_400), 'day'] : abs < 365 * 86_400 ? [Math.floor(abs / (30 * 86_400)), 'month'] : [Math.floor(abs / (365 * 86_400)), 'year'];
  const phrase = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return s >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

function token(name: string, d: Date, now: Date): string | undefined {
  const y = d.getUTCFullYear();
  const month = MONTHS[d.getUTCMonth()]!;
  const day = d.getUTCDate();
  const date = `${month} ${ordinal(day)}, ${y}`;
  const short = `${month.slice(0, 3)} ${day}, ${y}`;
  const long = `${DAYS[d.getUTCDay()]}, ${date}`;
  switch (name) {
    case 'date_num':
      return d.toISOString().slice(0, 10);
    case 'date':
      return date;
    case 'date_short':
      return short;
    case 'date_long':
      return long;
    case 'date_pretty':
      return relativeDay(d, now) ?? date;
    case 'date_short_pretty':
      return relativeDay(d, now) ?? short;
    case 'date_long_pretty':
      return relativeDay(d, now) ?? long;
    case 'day_divider_pretty':
      return relativeDay(d, now) ?? `${DAYS[d.getUTCDay()]}, ${month} ${ordinal(day)}`;
    case 'time':
      return time(d, false);
    case 'time_secs':
      return time(d, true);
    case 'ago':
      return ago(d, now);
    default:
      return undefined;
  }
}

/**
 * The text of a date sequence's body (what follows `!date^`, before `|`), or undefined when
 * Slack would show the fallback.
 */
export function formatSlackDate(body: string, now: Date): { text: string; iso: string; link?: string } | undefined {
  const [epoch, format, link] = body.split('^');
  if (!epoch || !/^-?\d{1,12}$/.test(epoch) || format === undefined) return undefined;
  const d = new Date(Number(epoch) * 1000);
  if (Number.isNaN(d.getTime())) return undefined;
  let unknown = false;
  const text = format.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const value = token(name, d, now);
    if (value === undefined) unknown = true;
    return value ?? '';
  });
  if (unknown) return undefined;
  return { text, iso: d.toISOString(), ...(link ? { link } : {}) };
}
