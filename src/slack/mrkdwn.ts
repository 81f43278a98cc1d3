/**
 * Escapes text a person typed before it goes into a Slack message, so that `<!channel>`,
 * `<@U123>` or `<https://evil|click>` are shown literally instead of pinging or linking.
 * Slack's rule: only &, < and > need escaping.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shows user input as inline code; backticks would end the span, so they are swapped out. */
export function codeSpan(text: string): string {
  return '`' + escapeMrkdwn(text.replace(/`/g, 'ˋ')) + '`';
}
