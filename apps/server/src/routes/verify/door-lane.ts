import { type IncomingHttpHeaders, IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { AdmittedAnswer, DoorAnswer, DoorRequestView } from './authorize.ts';
import { admittedTemplate } from './authorize.ts';
import { INCOMPLETE, OTHER, readDoorRequest } from './door-request.ts';

type Door = (request: DoorRequestView) => DoorAnswer | Promise<DoorAnswer>;
type ConnectionListener = (this: Server, socket: Socket) => void;

const SWEEP_MS = 1_000;
/** Sweeps a partial door request may wait for its rest before node:http is given it (and its timeouts). */
const PARTIAL_HOLD_SWEEPS = 2;

/** Header fields as node:http merges them (duplicates dropped, joined or listed), for the general path. */
function nodeHeaders(rawHeaders: string[]): IncomingHttpHeaders {
  const message = new IncomingMessage(null as unknown as Socket);
  (message as unknown as { _addHeaderLines(h: string[], n: number): void })._addHeaderLines(
    rawHeaders,
    rawHeaders.length,
  );
  return message.headers;
}

class LaneRequest implements DoorRequestView {
  #headers: IncomingHttpHeaders | undefined;
  constructor(
    readonly method: 'GET' | 'HEAD',
    readonly rawHeaders: string[],
    readonly socket: Socket,
  ) {}
  get headers(): IncomingHttpHeaders {
    this.#headers ??= nodeHeaders(this.rawHeaders);
    return this.#headers;
  }
}

/** An admitted answer's fields after the request id, as text, once per cached principal. */
const admittedTexts = new WeakMap<object, string>();

function fieldsText(headers: readonly string[], from: number): string {
  let text = '';
  for (let i = from; i < headers.length; i += 2) text += `\r\n${headers[i]}: ${headers[i + 1]}`;
  return text;
}

function admittedText(answer: AdmittedAnswer): string {
  let text = admittedTexts.get(answer.principal);
  if (text === undefined) {
    text = fieldsText(admittedTemplate(answer.principal), 2);
    admittedTexts.set(answer.principal, text);
  }
  return answer.extra === null ? text : text + fieldsText(answer.extra, 0);
}

/** The `Date` field as node:http writes it, made once a second. */
let dateSecond = -1;
let dateField = '';
function dateText(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateField = `\r\nDate: ${new Date(second * 1000).toUTCString()}`;
  }
  return dateField;
}

/**
 * The door lane: connections begin here instead of in node:http. While they carry plain gateway
 * checks (see door-request.ts) the door answers them straight on the socket, without node:http's
 * request and response streams, which cost more than the check itself; the first request of any
 * other kind, with every byte not yet answered, goes to node:http, which keeps the connection from
 * then on. Answers are node:http's to the byte, but for the request id and the Date.
 */
class DoorLane {
  readonly connections = new Set<LaneConnection>();
  sweeps = 0;
  closing = false;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    readonly server: Server,
    readonly door: Door,
    private readonly nodeConnection: ConnectionListener,
  ) {}

  adopt(socket: Socket): void {
    if (this.closing) this.handOver(socket);
    else this.connections.add(new LaneConnection(this, socket));
  }

  handOver(socket: Socket): void {
    this.nodeConnection.call(this.server, socket);
  }

  /** The fields after the answer's own: Date and the connection's fate. */
  trailer(): string {
    if (this.closing) return `${dateText()}\r\nConnection: close\r\n\r\n`;
    const timeout = Math.floor(this.server.keepAliveTimeout / 1000);
    return `${dateText()}\r\nConnection: keep-alive${timeout > 0 ? `\r\nKeep-Alive: timeout=${timeout}` : ''}\r\n\r\n`;
  }

  start(): void {
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  stop(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private sweep(): void {
    this.sweeps++;
    const idleSweeps = this.server.keepAliveTimeout / SWEEP_MS;
    for (const connection of this.connections) connection.sweep(idleSweeps);
  }

  closeIdle(): void {
    this.closing = true;
    for (const connection of this.connections) if (connection.idle()) connection.socket.destroy();
  }

  closeAll(): void {
    this.closing = true;
    for (const connection of this.connections) connection.socket.destroy();
  }
}

class LaneConnection {
  private pending = '';
  private busy = false;
  private blocked = false;
  private ended = false;
  private seen: number;
  private partialSince = -1;

  constructor(
    private readonly lane: DoorLane,
    readonly socket: Socket,
  ) {
    this.seen = lane.sweeps;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  idle(): boolean {
    return !this.busy && this.pending === '';
  }

  sweep(idleSweeps: number): void {
    if (this.busy) return;
    if (this.pending !== '') {
      if (this.lane.sweeps - this.partialSince >= PARTIAL_HOLD_SWEEPS) this.handOver(this.pending);
    } else if (idleSweeps > 0 && this.lane.sweeps - this.seen >= idleSweeps) this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    const text = chunk.toString('latin1');
    this.pending = this.pending === '' ? text : this.pending + text;
    this.seen = this.lane.sweeps;
    if (!this.busy) this.serve();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    if (this.busy) return;
    if (this.pending === '') this.socket.end();
    else {
      // node:http answers a request cut short (400) when it sees the end: show it both.
      this.handOver(this.pending);
      this.socket.emit('end');
    }
  };

  private readonly onError = (): void => {
    // The socket is destroyed with its error; nothing is owed to a peer that is gone.
  };

  private readonly onClose = (): void => {
    this.lane.connections.delete(this);
  };

  /** Answers every whole request received, in order; stops at a partial one or an async answer. */
  private serve(): void {
    while (this.pending !== '') {
      const request = readDoorRequest(this.pending, 0);
      if (request === INCOMPLETE) {
        if (this.partialSince === -1) this.partialSince = this.lane.sweeps;
        return;
      }
      if (request === OTHER) {
        this.handOver(this.pending);
        return;
      }
      this.partialSince = -1;
      const received = this.pending;
      this.pending = received.slice(request.end);
      const answer = this.lane.door(new LaneRequest(request.method, request.rawHeaders, this.socket));
      if ('kind' in answer) this.write(request.method, answer);
      else {
        // The request's own bytes, for node:http should the door not answer it.
        this.await(request.method, answer, received.slice(0, request.end));
        return;
      }
    }
    if (this.ended || this.lane.closing) this.socket.end();
  }

  private await(method: 'GET' | 'HEAD', later: Promise<DoorAnswer>, bytes: string): void {
    this.busy = true;
    this.socket.pause();
    later.then(
      (answer) => {
        this.busy = false;
        if (this.socket.destroyed) return;
        this.write(method, answer);
        if (!this.blocked) this.socket.resume();
        this.serve();
      },
      // What the door cannot answer, the general route does: node:http is given the request again.
      () => {
        this.busy = false;
        if (!this.socket.destroyed) this.handOver(bytes + this.pending);
      },
    );
  }

  private write(method: 'GET' | 'HEAD', answer: DoorAnswer): void {
    let ok: boolean;
    if (answer.kind === 'admitted')
      ok = this.socket.write(
        `HTTP/1.1 200 OK\r\nx-request-id: ${answer.requestId}${admittedText(answer)}${this.lane.trailer()}`,
        'latin1',
      );
    else {
      const head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}${fieldsText(answer.headers, 0)}${this.lane.trailer()}`;
      ok = this.socket.write(method === 'HEAD' ? head : head + answer.body, 'utf8');
    }
    // A peer that does not read gets nothing more read from it until it does.
    if (!ok && !this.blocked) {
      this.blocked = true;
      this.socket.pause();
      this.socket.once('drain', () => {
        this.blocked = false;
        if (!this.busy) this.socket.resume();
      });
    }
  }

  /** node:http takes the connection from here, with the bytes not yet answered. */
  private handOver(bytes: string): void {
    this.lane.connections.delete(this);
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('end', this.onEnd);
    this.socket.removeListener('error', this.onError);
    this.socket.removeListener('close', this.onClose);
    this.lane.handOver(this.socket);
    if (bytes !== '') this.socket.emit('data', Buffer.from(bytes, 'latin1'));
    this.socket.resume();
  }
}

/**
 * Puts the door lane in front of a node:http server's connections: its own connection listener is
 * kept, to be given each connection that leaves the lane, and closing the server closes the
 * lane's idle connections as it closes its own.
 */
export function installDoorLane(server: Server, door: Door): void {
  const nodeConnection = server
    .listeners('connection')
    .find((listener) => listener.name === 'connectionListener') as ConnectionListener | undefined;
  if (nodeConnection === undefined) throw new Error('node:http connection listener not found');
  const lane = new DoorLane(server, door, nodeConnection);
  server.removeListener('connection', nodeConnection);
  server.prependListener('connection', (socket: Socket) => lane.adopt(socket));
  server.on('listening', () => lane.start());
  server.on('close', () => lane.stop());
  const closeIdle = server.closeIdleConnections.bind(server);
  const closeAll = server.closeAllConnections.bind(server);
  server.closeIdleConnections = () => {
    lane.closeIdle();
    closeIdle();
  };
  server.closeAllConnections = () => {
    lane.closeAll();
    closeAll();
  };
}
