import type { RequestOptions } from '@keyward/sdk';
import type { Command } from 'commander';
import { type Context, connect } from '../context.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { confirm, stdinIsTty } from '../io.ts';
import { relativeTime } from '../output.ts';

/** A resource as the API answers it (snake_case); the CLI only displays it. */
export type Row = Record<string, unknown>;
export type Column = readonly [header: string, cell: (row: Row, now: number) => string];
export type ContextOf = (command: Command) => Context;

export const text = (value: unknown): string => {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.map(text).join(' ') || '-';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
};

export const field =
  (name: string): Column[1] =>
  (row) =>
    text(row[name]);

export const since =
  (name: string): Column[1] =>
  (row, now) =>
    relativeTime((row[name] as string | null | undefined) ?? null, now);

export const seg = encodeURIComponent;

/** One request as the selected credential; refusals become KeywardApiError (with their error id). */
export async function send<T = Row>(
  ctx: Context,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  return connect(ctx).client.request<T>(method, path, options);
}

/** A page for people as a table, for scripts as JSON (the API's own shape). */
export function printRows(ctx: Context, page: { data: Row[] }, columns: readonly Column[], empty: string) {
  if (ctx.out.json) return ctx.out.data(page);
  if (page.data.length === 0) return ctx.out.note(empty);
  const now = ctx.now();
  ctx.out.table(
    columns.map(([header]) => header),
    page.data.map((row) => columns.map(([, cell]) => cell(row, now))),
  );
}

export function printRow(ctx: Context, row: Row, columns: readonly Column[]) {
  if (ctx.out.json) return ctx.out.data(row);
  const now = ctx.now();
  ctx.out.fields(columns.map(([header, cell]) => [header.toLowerCase(), cell(row, now)]));
}

/** Destructive commands ask on a terminal and demand `--yes` elsewhere. */
export async function confirmOrRefuse(yes: boolean | undefined, question: string, action: string) {
  if (yes) return;
  if (!stdinIsTty()) throw new CliError(`refusing to ${action} without confirmation: pass --yes`, EXIT.usage);
  if (!(await confirm(question))) throw new CliError('cancelled', EXIT.failure);
}

type Listing = { path: string; description: string; columns: readonly Column[]; empty: string };

/** `<resource> list` and, with `show`, `<resource> show <id>`: a GET of the collection / one item. */
export function registerReadCommands(
  parent: Command,
  contextOf: ContextOf,
  listing: Listing,
  show?: { description: string },
) {
  parent
    .command('list')
    .description(listing.description)
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      printRows(ctx, await send<{ data: Row[] }>(ctx, 'GET', listing.path), listing.columns, listing.empty);
    });
  if (!show) return;
  parent
    .command('show <id>')
    .description(show.description)
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      printRow(ctx, await send(ctx, 'GET', `${listing.path}/${seg(id)}`), listing.columns);
    });
}
