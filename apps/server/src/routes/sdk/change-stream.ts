import type { ServerResponse } from 'node:http';
import type { ProjectId } from '@keyward/core';
import { Type } from 'typebox';
import type { CacheChange } from '../../services/verifier.ts';
import { principalOf, type Route } from '../context.ts';
import { problemResponses, security } from '../schemas.ts';
import { concernsProject, type TokenProjects, wireChange } from './project-changes.ts';

/** A comment line this often, so a client can tell a quiet stream from a dead one (3 missed = dead). */
export const HEARTBEAT_MS = 5_000;

type Stream = { projectId: ProjectId; res: ServerResponse };

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * The SDK's instant revocation: every change this node applies to its cache (its own, or heard on
 * the bus from the other nodes) is forwarded at once to the streams of the project it concerns.
 * While the node itself cannot trust its cache, its streams say so and the SDKs stop caching too.
 */
export const streamChanges =
  (known: TokenProjects): Route =>
  (app, { deps, auth }) => {
    const streams = new Set<Stream>();
    let trusted = true;

    async function forward(change: CacheChange): Promise<void> {
      const projects = new Set([...streams].map((s) => s.projectId));
      for (const projectId of projects) {
        let concerns: boolean | null;
        try {
          concerns = await concernsProject(deps.storage, known, projectId, change);
        } catch {
          concerns = null;
        }
        for (const stream of streams) {
          if (stream.projectId !== projectId) continue;
          // Unable to tell: the client drops its whole cache rather than miss a change.
          if (concerns === null) send(stream.res, 'resync', {});
          else if (concerns) send(stream.res, 'change', wireChange(change));
        }
      }
    }

    deps.verifier.onChange((change) => {
      if (streams.size > 0) void forward(change);
    });
    deps.verifier.onTrustChange((value) => {
      trusted = value;
      for (const stream of streams) send(stream.res, 'trust', { trusted: value });
    });
    const heartbeat = setInterval(() => {
      for (const stream of streams) stream.res.write(': ping\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    app.addHook('preClose', (done) => {
      clearInterval(heartbeat);
      for (const stream of streams) stream.res.end();
      streams.clear();
      done();
    });

    app.get(
      '/v1/sdk/changes',
      {
        onRequest: auth(['tokens:verify']),
        schema: {
          operationId: 'streamTokenChanges',
          tags: ['sdk'],
          summary: "Server-sent events: every change to the caller's project's tokens, as it happens",
          description:
            'Events: `ready` once subscribed, `change` ({token_id} | {owner_id} | {project_id, owner_id?}), ' +
            '`trust` ({trusted}: false while this node cannot hear the other nodes; answer nothing from cache), ' +
            '`resync` (drop the whole cache). A `: ping` comment every 5 s.',
          security,
          response: {
            200: {
              description: 'text/event-stream',
              content: { 'text/event-stream': { schema: Type.String() } },
            },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const caller = principalOf(request);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          ...Object.fromEntries(Object.entries(reply.getHeaders()).map(([k, v]) => [k, String(v)])),
        });
        res.flushHeaders();
        const stream: Stream = { projectId: caller.projectId, res };
        streams.add(stream);
        request.raw.socket.setNoDelay(true);
        res.on('close', () => streams.delete(stream));
        send(res, 'ready', { trusted });
      },
    );
  };
