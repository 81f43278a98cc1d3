/**
 * The bench's mixed load (scenarios 5 and 6): 2/5 `/team list`, 1/5 Next to the middle of the
 * list, 1/5 role change from the dropdown, 1/5 App Home opened, from the bench owners in turn.
 * Role changes cycle through `targets`, flipping each between member and owner, so every
 * change is a real one.
 */
import type { Role } from '../src/db/schema.js';
import { BENCH_USERS, type Harness } from './harness.js';
import type { LoadRequest } from './protocol.js';
import { build, EXPECT, toLoad, type Built } from './requests.js';

export interface Mix {
  (i: number): { built: Built; expect?: LoadRequest['expect'] };
}

export function mixedLoad(h: Harness, middleCursor: string, targets: readonly string[]): Mix {
  let changes = 0;
  return (i) => {
    const u = BENCH_USERS[i % BENCH_USERS.length]!.id;
    switch (i % 5) {
      case 0:
      case 1:
        return { built: build.command(h, u, 'list'), expect: EXPECT.listAck };
      case 2:
        return { built: build.nextPage(h, u, middleCursor) };
      case 3: {
        const n = changes++;
        const role: Role = Math.floor(n / targets.length) % 2 === 0 ? 'owner' : 'member';
        return { built: build.roleChange(h, u, targets[n % targets.length]!, role) };
      }
      default:
        return { built: build.homeOpened(h, u) };
    }
  };
}

/**
 * A run of the mix as load requests. For our app each person waits for their answer — the ack,
 * or the response_url post that follows a click or Next — before the next request, so the rate
 * is what people get, not acks with a backlog of accepted work behind them (clicks are acked
 * before any work). Home opens are not waited for: the role changes' Home refreshes publish for
 * the same people, so a publish cannot say which request it answers. The bare app's answer is
 * its ack.
 */
export function mixedRequests(mix: Mix, count: number, ours: boolean, offset = 0): { requests: LoadRequest[]; keys?: Array<string | undefined> } {
  const batch = Array.from({ length: count }, (_, i) => mix(offset + i));
  const waitsFor = (built: Built) => (ours && built.key?.startsWith('response:') ? built.key : undefined);
  const requests = batch.map(({ built, expect }, i) => ({
    ...toLoad([built], { ...(ours && expect ? { expect } : {}), awaitCompletion: waitsFor(built) !== undefined })[0]!,
    id: i,
  }));
  return ours ? { requests, keys: batch.map(({ built }) => waitsFor(built)) } : { requests };
}
