import path from 'node:path';
import type { Plugin } from 'vite';

/**
 * The proof that the domain does not need Slack (issue 17 part 1): while the domain suite runs,
 * resolving any module of the adapters — src/slack, src/notify, src/standin, src/mail, the
 * composition that installs them (src/tellings.ts) — or any @slack/* package fails the import,
 * and with it the test file that (perhaps transitively) asked for it. Type-only imports are
 * erased before anything is resolved, so they do not count: they load nothing.
 */
const ADAPTERS = ['src/slack/', 'src/notify/', 'src/standin/', 'src/mail/', 'src/tellings.ts'];

export function slackFreeDomain(root: string): Plugin {
  const forbidden = ADAPTERS.map((p) => path.join(root, p));
  return {
    name: 'slack-free-domain',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (/^@slack\//.test(source)) throw new Error(refusal(source, importer));
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      const id = resolved?.id.split('?')[0];
      if (id && (forbidden.some((p) => id.startsWith(p)) || id.includes('/node_modules/@slack/'))) throw new Error(refusal(source, importer));
      return resolved;
    },
  };
}

function refusal(source: string, importer: string | undefined): string {
  return `The domain suite loads no Slack adapter, but ${importer ?? 'a test'} imports ${source} (test/support/domain-guard.ts).`;
}
