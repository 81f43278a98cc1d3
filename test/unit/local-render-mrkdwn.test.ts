import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMrkdwn, type RenderContext } from '../../src/standin/local/render/index.js';
import { emojiFor } from '../../src/standin/local/render/emoji.js';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { scanHtml, textOfHtml } from '../support/html-scan.js';

/**
 * The local Slack's mrkdwn, construct by construct, as Slack shows it; and the hostile cases:
 * whatever a person typed (escaped by the app as Slack asks, or not) never becomes markup.
 */
const ctx: RenderContext = {
  userName: (id) => ({ U0BOB00001: 'Bob Baker', U0ALICE001: 'Alice Adams' })[id],
  channelName: (id) => ({ C0TEAM0001: 'team' })[id],
  now: new Date('2025-12-06T12:00:00Z'),
};
const md = (text: string) => {
  const html = renderMrkdwn(text, ctx);
  scanHtml(html);
  return html;
};
// 2025-12-06T05:46:40Z
const EPOCH = 1765000000;

describe('mrkdwn formatting', () => {
  it('bold, italic, strike, code and pre', () => {
    expect(md('*bold* _italic_ ~strike~ `code`')).toBe('<b>bold</b> <i>italic</i> <s>strike</s> <code>code</code>');
    expect(md('```line *one*\nline two```')).toBe('<pre class="bk-pre">line *one*\nline two</pre>');
    expect(md('before\n```x```\nafter')).toBe('before<pre class="bk-pre">x</pre>after');
  });

  it('nests markers and keeps formatting out of code', () => {
    expect(md('*_both_*')).toBe('<b><i>both</i></b>');
    expect(md('~*x*~ and `*not bold*`')).toBe('<s><b>x</b></s> and <code>*not bold*</code>');
  });

  it('needs word boundaries, a non-space inside, and one line', () => {
    expect(md('snake_case_name')).toBe('snake_case_name');
    expect(md('2*3*4')).toBe('2*3*4');
    expect(md('* not bold *')).toBe('* not bold *');
    expect(md('*across\nlines*')).toBe('*across<br>lines*');
    expect(md('**')).toBe('**');
    expect(md('(*in parens*)')).toBe('(<b>in parens</b>)');
  });

  it('quotes: a run of > lines is one quote; >>> quotes the rest', () => {
    expect(md('> one\n> two\nafter')).toBe('<blockquote class="bk-quote">one<br>two</blockquote>after');
    expect(md('first\n&gt; escaped quote')).toBe('first<blockquote class="bk-quote">escaped quote</blockquote>');
    expect(md('intro\n>>> all\nof *this*')).toBe('intro<blockquote class="bk-quote">all<br>of <b>this</b></blockquote>');
  });

  it('lists are lines, as in Slack', () => {
    expect(md('• one\n• two\n- three')).toBe('• one<br>• two<br>- three');
  });

  it('HTML entities the app escapes show as the characters, once', () => {
    expect(textOfHtml(md('a &amp; b &lt;c&gt;'))).toBe('a & b <c>');
    // Double-escaped text shows its escape literally (Slack decodes once).
    expect(textOfHtml(md('&amp;lt;b&amp;gt;'))).toBe('&lt;b&gt;');
  });
});

describe('mrkdwn control sequences', () => {
  it('a mention shows the person\'s current name, whatever label it carried', () => {
    expect(md('<@U0BOB00001>')).toBe('<span class="bk-mention">@Bob Baker</span>');
    expect(md('<@U0BOB00001|bob>')).toBe('<span class="bk-mention">@Bob Baker</span>');
    expect(md('<@U0NOBODY01|ghost>')).toBe('<span class="bk-mention">@ghost</span>');
    expect(md('<@U0NOBODY01>')).toBe('<span class="bk-mention">@U0NOBODY01</span>');
  });

  it('channels, broadcasts and user groups', () => {
    expect(md('<#C0TEAM0001>')).toBe('<span class="bk-channel">#team</span>');
    expect(md('<#C0OTHER001|general>')).toBe('<span class="bk-channel">#general</span>');
    expect(textOfHtml(md('<!here> <!channel> <!everyone>'))).toBe('@here @channel @everyone');
    expect(md('<!here>')).toContain('bk-broadcast');
    expect(textOfHtml(md('<!subteam^S0OPS|@ops> <!subteam^S0DEV>'))).toBe('@ops @S0DEV');
  });

  it('links: http(s) and mailto become <a>, anything else is text', () => {
    expect(md('<https://example.com/a?b=1&amp;c=2|the docs>')).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the docs</a>',
    );
    expect(md('<http://example.com>')).toContain('>http://example.com</a>');
    expect(md('<mailto:ana@example.com|Ana>')).toContain('href="mailto:ana@example.com"');
    expect(md('<mailto:ana@example.com>')).toContain('>ana@example.com</a>');
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<b>', 'vbscript:x', 'slack://open']) {
      const html = md(`<${escapeMrkdwn(bad).replace(/&lt;|&gt;/g, '')}|click me>`);
      expect(html).not.toContain('<a');
      expect(textOfHtml(html)).toBe('click me');
    }
  });

  it('a bare http(s) address is a link (verbatim: false), without the punctuation after it', () => {
    expect(md('see https://example.com/a?b=1&amp;c=2.')).toBe(
      'see <a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">https://example.com/a?b=1&amp;c=2</a>.',
    );
    expect(md('*https://example.com*')).toBe('<b><a href="https://example.com" target="_blank" rel="noopener noreferrer">https://example.com</a></b>');
    expect(md('`https://example.com`')).toBe('<code>https://example.com</code>');
    expect(md('ftp://example.com javascript://x')).not.toContain('<a');
  });

  it('dates: Slack\'s tokens in UTC, the fallback when a token or the time is not one', () => {
    const date = (format: string, fallback = 'FB') => textOfHtml(md(`<!date^${EPOCH}^${format}|${fallback}>`));
    expect(date('{date_num}')).toBe('2025-12-06');
    expect(date('{date}')).toBe('December 6th, 2025');
    expect(date('{date_short}')).toBe('Dec 6, 2025');
    expect(date('{date_long}')).toBe('Saturday, December 6th, 2025');
    expect(date('{date_short_pretty} at {time}')).toBe('Today at 5:46 AM');
    expect(date('{date_pretty}')).toBe('Today');
    expect(date('{time_secs}')).toBe('5:46:40 AM');
    expect(date('{ago}')).toBe('6 hours ago');
    expect(textOfHtml(md(`<!date^${EPOCH - 86_400}^{date_short_pretty}|x>`))).toBe('Yesterday');
    expect(date('{date_unknown}', '6 Dec')).toBe('6 Dec');
    expect(textOfHtml(md('<!date^soon^{date}|later>'))).toBe('later');
    expect(md(`<!date^${EPOCH}^{date}^https://example.com/e|x>`)).toContain('<a href="https://example.com/e"');
    expect(md(`<!date^${EPOCH}^{date}^javascript:alert(1)|x>`)).not.toContain('<a');
    expect(md(`<!date^${EPOCH}^{date}|2025-12-06>`)).toContain('datetime="2025-12-06T05:46:40.000Z"');
  });

  it('a <…> that is none of Slack\'s sequences is shown as typed', () => {
    expect(textOfHtml(md('x <b>y</b> <script>z</script>'))).toBe('x <b>y</b> <script>z</script>');
  });
});

describe('emoji', () => {
  it('every shortcode the app writes is shown as its emoji', () => {
    const found = new Set<string>();
    const walk = (file: string): void => {
      if (statSync(file).isDirectory()) for (const name of readdirSync(file)) walk(path.join(file, name));
      else if (file.endsWith('.ts')) for (const m of readFileSync(file, 'utf8').matchAll(/:([a-z][a-z_]+):/g)) found.add(m[1]!);
    };
    // Wherever the app words what Slack shows (the tellings moved out of src/slack in issue 17).
    for (const dir of ['src/slack', 'src/team', 'src/activity', 'src/notify', 'src/mail', 'src/tellings.ts']) if (existsSync(dir)) walk(dir);
    expect(found.size).toBeGreaterThan(10);
    const missing = [...found].filter((name) => emojiFor(name) === undefined);
    expect(missing).toEqual([]);
    expect(md(':white_check_mark: done')).toContain('✅');
  });

  it('unknown shortcodes and times stay as typed', () => {
    expect(textOfHtml(md(':not_an_emoji: at 10:30:00'))).toBe(':not_an_emoji: at 10:30:00');
  });
});

describe('hostile input never becomes markup', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '<https://evil.test" onmouseover="alert(1)|click>',
    '<javascript:alert(document.cookie)|free money>',
    '<@U0BOB00001|"><img src=x onerror=alert(1)>>',
    '<#C0NOPE|<script>x</script>>',
    '<!subteam^S1|<img src=x onerror=1>>',
    '<!date^1765000000^{date}|<img src=x onerror=1>>',
    '<!date^bad^{date}|"><script>x</script>>',
    '*<img src=x onerror=1>* _<b>_ ~`<i>`~',
    '```<script>alert(1)</script>```',
    '> <iframe src="javascript:alert(1)">',
    '\uE0000\uE001 forged placeholder \uE000999\uE001',
    '*_~*_~*_~*_~deep~_*~_*~_*~_*',
  ];

  it.each(hostile)('as the app sends it (escaped) and raw: %s', (typed) => {
    for (const text of [escapeMrkdwn(typed), typed]) {
      const html = renderMrkdwn(text, ctx);
      // Every tag is one the renderer writes, every attribute allowed and quoted, every link http(s)/mailto.
      expect(() => scanHtml(html)).not.toThrow();
      expect(html).not.toMatch(/<(script|img|svg|iframe)|(href|src)="\s*javascript:/i);
    }
    // What the person typed is all there, as text.
    const shown = textOfHtml(renderMrkdwn(escapeMrkdwn(typed), ctx));
    for (const word of typed.replace(/[\uE000\uE001*_~`>]/g, ' ').split(/\s+/).filter((w) => w.length > 3)) expect(shown).toContain(word);
  });

  it('a line of thousands of unmatched markers renders quickly', () => {
    const text = '*a _b ~c '.repeat(4_000);
    const started = performance.now();
    const html = renderMrkdwn(text, ctx);
    expect(performance.now() - started).toBeLessThan(500);
    expect(textOfHtml(html)).toBe(text);
  });
});
