/**
 * The WebSocket side of Slack's Socket Mode, for the stand-in.
 *
 * The app calls `apps.connections.open` with its app-level token (xapp-…) and gets a
 * one-time `ws://…/socket?ticket=…` URL; this server accepts the upgrade on the
 * stand-in's own HTTP server, greets with Slack's `hello`, pings like Slack does, and
 * lets tests send what Slack sends over the socket: envelopes
 * `{ envelope_id, type, payload, accepts_response_payload, retry_attempt?, retry_reason? }`
 * of type `slash_commands`, `interactive` or `events_api`. The app answers each one with
 * an ack frame `{ envelope_id, payload? }`, which `send()` resolves with.
 *
 * Frame shapes follow Slack's Socket Mode documentation and what @slack/socket-mode's
 * SocketModeClient parses (hello → connected; disconnect → reconnect; anything else is
 * emitted by `type` with `payload` as the body).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { waitForEmitted } from './wait.js';

/** The envelope types Slack sends over Socket Mode (others are passed through as given). */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api' | (string & {});

/** An envelope as Slack sends it over the socket. */
export interface SocketEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  /** events_api only: 0 for the first delivery. */
  retry_attempt?: number;
  /** events_api only: '' for the first delivery, e.g. 'timeout' for a retry. */
  retry_reason?: string;
}

/** The app's acknowledgement of one envelope. */
export interface SocketAck {
  envelope_id: string;
  /** What the app answered (Bolt always sends an object, `{}` for a bare ack()). */
  payload?: Record<string, unknown>;
  /** Milliseconds from sending the envelope to receiving the ack (Slack waits 3 s). */
  ms: number;
  connectionId: number;
}

export interface SocketSendOptions {
  /**
   * Whether the app may answer with a payload. By default as Slack sets it: true for
   * slash_commands and for interactive view_submission / block_suggestion, false otherwise.
   */
  acceptsResponsePayload?: boolean;
  /** events_api retries: Slack's retry_attempt / retry_reason (default 0 / ''). */
  retryAttempt?: number;
  retryReason?: string;
  envelopeId?: string;
  /** How long to wait for a connection and then for the ack (default: the stand-in's socketAckTimeoutMs). */
  timeoutMs?: number;
}

export interface SocketConnection {
  id: number;
  /** The one-time ticket the connection was opened with. */
  ticket: string;
  openedAt: number;
  /** Pings the app sent (@slack/socket-mode pings every clientPingTimeout / 3 and wants a pong within clientPingTimeout). */
  pingsFromApp: number;
  /** Pongs the app sent back to the stand-in's pings. */
  pongsFromApp: number;
  closedAt?: number;
  /** WebSocket close code (1000 when the app disconnects cleanly, 1006 when the TCP connection just dropped). */
  closeCode?: number;
  closeReason?: string;
}

/** Every frame over any connection, in order (pings and pongs excluded). */
export interface SocketFrame {
  direction: 'to_app' | 'from_app';
  connectionId: number;
  at: number;
  /** Parsed JSON, or the raw text when the app sent something that is not JSON. */
  data: Record<string, unknown> | string;
}

export interface SocketModeServerOptions {
  appId: string;
  /** The stand-in's base URL (http://127.0.0.1:port), read when a URL is minted. */
  baseUrl: () => string;
  /** Interval of the server's WebSocket pings; 0 disables them. */
  pingIntervalMs: number;
  /** Default time `send()` waits for a connection and then for the ack. */
  ackTimeoutMs: number;
}

interface Pending {
  envelope: SocketEnvelope;
  connectionId: number;
  sentAt: number;
  resolve: (ack: SocketAck) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const SOCKET_PATH = '/socket';

export class SocketModeServer {
  /** Every connection ever accepted, open or closed, in order. */
  connections: SocketConnection[] = [];
  frames: SocketFrame[] = [];

  private readonly wss = new WebSocketServer({ noServer: true, clientTracking: false });
  private readonly live = new Map<number, WebSocket>();
  private readonly tickets = new Map<string, { used: boolean }>();
  private readonly pending = new Map<string, Pending>();
  private readonly events = new EventEmitter();
  private nextConnectionId = 0;
  private closed = false;

  constructor(private readonly opts: SocketModeServerOptions) {
    this.events.setMaxListeners(0);
  }

  /** Open connections, oldest first. */
  get openConnections(): SocketConnection[] {
    return this.connections.filter((c) => c.closedAt === undefined);
  }

  get isConnected(): boolean {
    return this.live.size > 0;
  }

  /** Mints a one-time WebSocket URL, as apps.connections.open returns. */
  newConnectionUrl(): string {
    const ticket = randomUUID();
    this.tickets.set(ticket, { used: false });
    return `${this.opts.baseUrl().replace(/^http/, 'ws')}${SOCKET_PATH}?ticket=${ticket}`;
  }

  /** For the stand-in's HTTP server `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== SOCKET_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    const ticket = url.searchParams.get('ticket') ?? '';
    const known = this.tickets.get(ticket);
    // Slack's URLs work once: a reconnect has to call apps.connections.open again.
    if (this.closed || !known || known.used) return refuseUpgrade(socket, 401, 'Unauthorized');
    known.used = true;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, ticket));
  }

  /** Resolves with an open connection (the newest), already open or future. */
  waitForConnection(timeoutMs = this.opts.ackTimeoutMs): Promise<SocketConnection> {
    const open = this.openConnections.at(-1);
    if (open) return Promise.resolve(open);
    return this.waitFor<SocketConnection>('open', () => true, timeoutMs, () =>
      `socket: no app connected over Socket Mode within ${timeoutMs}ms ${this.describeConnections()}. ` +
      'Did the app start in Socket Mode (SLACK_APP_TOKEN) with its Web API calls pointed at the stand-in (SLACK_API_URL)?',
    );
  }

  /** Resolves once no connection is open (e.g. after the app stopped). */
  waitForAllClosed(timeoutMs = this.opts.ackTimeoutMs): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return this.waitFor<SocketConnection>('close', () => this.live.size === 0, timeoutMs, () =>
      `socket: ${this.live.size} connection(s) still open after ${timeoutMs}ms ${this.describeConnections()}`,
    ).then(() => undefined);
  }

  /**
   * Sends an envelope to the app over the newest open connection (waiting for one if none
   * is open yet) and resolves with the app's ack frame. Rejects with an explanation when no
   * app connects, the app does not ack in time, or the connection closes first.
   */
  async send(type: EnvelopeType, payload: Record<string, unknown>, opts: SocketSendOptions = {}): Promise<SocketAck> {
    const timeoutMs = opts.timeoutMs ?? this.opts.ackTimeoutMs;
    const started = Date.now();
    const connection = await this.waitForConnection(timeoutMs);
    const ws = this.live.get(connection.id);
    if (!ws) throw new Error(`socket.send(${type}): connection ${connection.id} closed before the envelope could be sent`);

    const envelope: SocketEnvelope = {
      envelope_id: opts.envelopeId ?? randomUUID(),
      payload,
      type,
      accepts_response_payload: opts.acceptsResponsePayload ?? acceptsResponsePayloadFor(type, payload),
      ...(type === 'events_api' ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? '' } : {}),
    };
    const remaining = Math.max(1, timeoutMs - (Date.now() - started));
    const acked = new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.envelope_id);
        reject(new Error(
          `socket.send(${type}): the app did not acknowledge envelope ${envelope.envelope_id} within ${timeoutMs}ms ` +
          `(Slack gives up after 3 s and shows the user an error). ${this.describeFramesSince(started)}`,
        ));
      }, remaining);
      this.pending.set(envelope.envelope_id, { envelope, connectionId: connection.id, sentAt: Date.now(), resolve, reject, timer });
    });
    this.sendFrame(connection.id, ws, envelope as unknown as Record<string, unknown>);
    return acked;
  }

  /**
   * Slack's `disconnect` message: the client closes this connection and opens a new one
   * (reasons Slack uses: 'warning', 'refresh_requested', 'link_disabled').
   */
  sendDisconnect(reason = 'refresh_requested'): void {
    for (const [id, ws] of this.live) {
      this.sendFrame(id, ws, { type: 'disconnect', reason, debug_info: { host: 'applink-standin' } });
    }
  }

  /** Forget recorded frames (connections stay, like calls' side effects in the stand-in). */
  reset(): void {
    this.frames = [];
  }

  /** Drops every connection and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    for (const ws of this.live.values()) ws.terminate();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`socket: the stand-in stopped before the app acknowledged envelope ${p.envelope.envelope_id}`));
    }
    this.pending.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // -------------------------------------------------------------------------

  private accept(ws: WebSocket, ticket: string): void {
    const connection: SocketConnection = { id: ++this.nextConnectionId, ticket, openedAt: Date.now(), pingsFromApp: 0, pongsFromApp: 0 };
    this.connections.push(connection);
    this.live.set(connection.id, ws);

    // Slack pings its clients; @slack/socket-mode then expects a ping at least every
    // serverPingTimeout (30 s by default). Pongs to the client's own pings (every ~1.7 s,
    // required within 5 s) are sent by `ws` itself (autoPong).
    const ping = this.opts.pingIntervalMs > 0 ? setInterval(() => ws.ping(), this.opts.pingIntervalMs) : undefined;
    ping?.unref();

    ws.on('ping', () => connection.pingsFromApp++);
    ws.on('pong', () => connection.pongsFromApp++);
    ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(connection, data, isBinary));
    ws.on('error', () => undefined); // A 'close' follows; errors only mean the peer vanished.
    ws.on('close', (code: number, reason: Buffer) => {
      clearInterval(ping);
      connection.closedAt = Date.now();
      connection.closeCode = code;
      connection.closeReason = reason.toString('utf8');
      this.live.delete(connection.id);
      for (const [id, p] of this.pending) {
        if (p.connectionId !== connection.id) continue;
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new Error(
          `socket.send(${p.envelope.type}): connection ${connection.id} closed (code ${code}) before the app acknowledged envelope ${id}`,
        ));
      }
      this.events.emit('close', connection);
    });

    this.sendFrame(connection.id, ws, {
      type: 'hello',
      num_connections: this.live.size,
      debug_info: {
        host: `applink-standin-${randomBytes(3).toString('hex')}`,
        build_number: 1,
        // Seconds until Slack would ask the client to refresh the connection.
        approximate_connection_time: 18060,
      },
      connection_info: { app_id: this.opts.appId },
    });
    this.events.emit('open', connection);
  }

  private onFrame(connection: SocketConnection, data: RawData, isBinary: boolean): void {
    const text = rawToString(data);
    let parsed: Record<string, unknown> | string = text;
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) parsed = json as Record<string, unknown>;
    } catch {
      // Kept as text: Slack ignores frames it cannot parse, so do we.
    }
    this.frames.push({ direction: 'from_app', connectionId: connection.id, at: Date.now(), data: parsed });
    if (isBinary || typeof parsed === 'string') return;
    const envelopeId = typeof parsed.envelope_id === 'string' ? parsed.envelope_id : undefined;
    const p = envelopeId ? this.pending.get(envelopeId) : undefined;
    if (!p || !envelopeId) return;
    clearTimeout(p.timer);
    this.pending.delete(envelopeId);
    const payload = parsed.payload;
    p.resolve({
      envelope_id: envelopeId,
      ...(typeof payload === 'object' && payload !== null ? { payload: payload as Record<string, unknown> } : {}),
      ms: Date.now() - p.sentAt,
      connectionId: connection.id,
    });
  }

  private sendFrame(connectionId: number, ws: WebSocket, frame: Record<string, unknown>): void {
    this.frames.push({ direction: 'to_app', connectionId, at: Date.now(), data: frame });
    ws.send(JSON.stringify(frame));
  }

  private waitFor<T>(event: string, matches: (value: T) => boolean, timeoutMs: number, describe: () => string): Promise<T> {
    return waitForEmitted(this.events, event, matches, timeoutMs, describe);
  }

  private describeConnections(): string {
    const open = this.live.size;
    const total = this.connections.length;
    return `(${total} connection(s) accepted so far, ${open} open; ${this.tickets.size} URL(s) minted by apps.connections.open)`;
  }

  private describeFramesSince(since: number): string {
    const fromApp = this.frames.filter((f) => f.direction === 'from_app' && f.at >= since);
    if (fromApp.length === 0) return 'The app sent no frame since.';
    return `Frames from the app since: ${fromApp.map((f) => JSON.stringify(f.data).slice(0, 200)).join(' | ')}`;
  }
}

/** As Slack sets accepts_response_payload: where the ack body is the answer. */
export function acceptsResponsePayloadFor(type: EnvelopeType, payload: Record<string, unknown>): boolean {
  if (type === 'slash_commands') return true;
  if (type === 'interactive') return payload.type === 'view_submission' || payload.type === 'block_suggestion';
  return false;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
