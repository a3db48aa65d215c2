import { describe, expect, test } from 'vitest';
import {
  may,
  type PolicyAction,
  type PolicyCaller,
  type PolicyContext,
  type PolicyDecision,
  type TokenTarget,
} from '../src/policy.ts';

// The rules of issue 9 §1, written here as predicates over a small universe without the code under
// test: the table below asks `may` every combination and compares.

const NOW = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;

/** Reference coverage for the scopes of this universe (no partial wildcards but `x:*`). */
function covers(granted: readonly string[], required: string): boolean {
  return granted.some(
    (g) =>
      g === required ||
      (g === '*:*' && !required.startsWith('keyward:')) ||
      (g.endsWith(':*') && !required.endsWith(':*') && required.startsWith(g.slice(0, -1))),
  );
}
const holdsAll = (granted: readonly string[], required: readonly string[]) =>
  required.every((r) => covers(granted, r));

const CALLER_SCOPES: string[][] = [
  [],
  ['deploys:read'],
  ['tokens:read', 'tokens:write', 'deploys:write'],
  ['tokens:write', 'deploys:read', 'projects:admin'],
  ['tokens:write', 'me:api-key', 'deploys:read'],
  ['*:*'],
];
const TARGET_SCOPES: string[][] = [[], ['deploys:read'], ['deploys:write'], ['*:*']];
const EXPIRIES = [null, NOW + HOUR, NOW + 48 * HOUR];
const OWNERS = [
  { ownerType: 'user', ownerId: 'usr_alice' },
  { ownerType: 'user', ownerId: 'usr_bob' },
  { ownerType: 'service_account', ownerId: 'sac_ci' },
] as const;

const TOKEN_ACTIONS: PolicyAction[] = [
  'token.create',
  'token.import',
  'token.read',
  'token.read_usage',
  'token.update',
  'token.extend_expiry',
  'token.enable',
  'token.disable',
  'token.revoke',
  'token.rotate',
  'token.regenerate_personal',
];
const REQUIRED: Record<string, string[]> = {
  'token.read': ['tokens:read'],
  'token.read_usage': ['tokens:read'],
  'token.regenerate_personal': ['me:api-key'],
};
const required = (action: PolicyAction) => REQUIRED[action] ?? ['tokens:write'];
const GIVES_SECRET = ['token.create', 'token.import', 'token.rotate', 'token.regenerate_personal'];
const MAKES_USABLE = [...GIVES_SECRET, 'token.enable', 'token.extend_expiry'];

type Case = { caller: PolicyCaller; action: PolicyAction; target: TokenTarget; context: PolicyContext };
type Rule = { name: string; codes: string[]; holds: (c: Case) => boolean };

const isSelf = ({ caller, target }: Case) => target.tokenId !== null && target.tokenId === caller.tokenId;
const selfRevoke = (c: Case) => c.action === 'token.revoke' && isSelf(c);

/** Each rule must hold for the action to be allowed; `codes` are the refusals it may give. */
const RULES: Rule[] = [
  {
    name: 'only users have a personal key',
    codes: ['FORBIDDEN'],
    holds: ({ caller, action }) => action !== 'token.regenerate_personal' || caller.ownerType === 'user',
  },
  {
    name: "the action's scope (a session regenerates its own key; a token may revoke itself)",
    codes: ['INSUFFICIENT_SCOPE'],
    holds: (c) =>
      selfRevoke(c) ||
      (c.action === 'token.regenerate_personal' && c.caller.via === 'session') ||
      holdsAll(c.caller.scopes, required(c.action)),
  },
  {
    name: 'no acting on a token wider than the caller, but projects:admin may stop it',
    codes: ['SCOPE_ESCALATION'],
    holds: (c) =>
      c.action === 'token.read' ||
      c.action === 'token.read_usage' ||
      selfRevoke(c) ||
      holdsAll(c.caller.scopes, c.target.scopes) ||
      (['token.revoke', 'token.disable'].includes(c.action) && covers(c.caller.scopes, 'projects:admin')),
  },
  {
    name: "a user token's secret only to that user",
    codes: ['FORBIDDEN'],
    holds: ({ caller, action, target }) =>
      !GIVES_SECRET.includes(action) ||
      target.ownerType !== 'user' ||
      (caller.ownerType === 'user' && caller.ownerId === target.ownerId),
  },
  {
    name: "a service account's secret to itself or to whoever holds its rights",
    codes: ['SCOPE_ESCALATION'],
    holds: ({ caller, action, target }) =>
      !GIVES_SECRET.includes(action) ||
      target.ownerType !== 'service_account' ||
      caller.ownerId === target.ownerId ||
      holdsAll(caller.scopes, target.ownerScopes),
  },
  {
    name: "within the project's lifetime policy",
    codes: ['LIFETIME_EXCEEDED'],
    holds: ({ action, target, context }) =>
      !MAKES_USABLE.includes(action) ||
      context.maxTokenLifetimeSeconds === null ||
      (target.expiresAt !== null && target.expiresAt - NOW <= context.maxTokenLifetimeSeconds * 1000),
  },
  {
    name: 'never outliving the calling token',
    codes: ['LIFETIME_EXCEEDED'],
    holds: ({ caller, action, target }) =>
      !MAKES_USABLE.includes(action) ||
      caller.via === 'session' ||
      caller.expiresAt === null ||
      (target.expiresAt !== null && target.expiresAt <= caller.expiresAt),
  },
];

function* callers(): Generator<PolicyCaller> {
  for (const owner of OWNERS)
    for (const scopes of CALLER_SCOPES)
      for (const expiresAt of EXPIRIES) {
        yield { via: 'token', ...owner, tokenId: 'tok_caller', scopes, expiresAt };
        if (owner.ownerType === 'user') yield { via: 'session', ...owner, tokenId: null, scopes, expiresAt };
      }
}

function* targets(): Generator<TokenTarget> {
  for (const owner of OWNERS)
    for (const scopes of TARGET_SCOPES)
      for (const ownerScopes of [['deploys:read'], ['*:*']])
        for (const expiresAt of EXPIRIES)
          for (const tokenId of ['tok_caller', 'tok_other', null])
            yield { kind: 'token', tokenId, ...owner, scopes, ownerScopes, expiresAt };
}

function* universe(): Generator<Case> {
  for (const caller of callers())
    for (const target of targets())
      for (const action of TOKEN_ACTIONS)
        for (const maxTokenLifetimeSeconds of [null, 24 * 3600])
          yield { caller, action, target, context: { now: NOW, maxTokenLifetimeSeconds } };
}

const describeCase = (c: Case) =>
  `${c.caller.via} ${c.caller.ownerId} [${c.caller.scopes}] exp ${c.caller.expiresAt} → ${c.action} on ${c.target.tokenId} of ${c.target.ownerId} [${c.target.scopes}] owner [${c.target.ownerScopes}] exp ${c.target.expiresAt} max ${c.context.maxTokenLifetimeSeconds}`;

describe('may: the exhaustive table over tokens', () => {
  test('every combination is allowed exactly when every rule holds, and refused with a failing rule’s code', () => {
    let cells = 0;
    let allowed = 0;
    const wrong: string[] = [];
    for (const c of universe()) {
      cells++;
      const failing = RULES.filter((rule) => !rule.holds(c));
      const decision: PolicyDecision = may(c.caller, c.action, c.target, c.context);
      if (decision.allowed) allowed++;
      const ok = decision.allowed
        ? failing.length === 0
        : failing.some((rule) => rule.codes.includes(decision.code)) &&
          (decision.code === 'SCOPE_ESCALATION' || decision.code === 'INSUFFICIENT_SCOPE'
            ? decision.missing.length > 0 && decision.missing.every((s) => !covers(c.caller.scopes, s))
            : decision.missing.length === 0);
      if (!ok && wrong.length < 10)
        wrong.push(`${describeCase(c)}: ${JSON.stringify(decision)}; failing ${failing.map((r) => r.name)}`);
    }
    expect(wrong).toEqual([]);
    // The universe exercises both answers in quantity, so neither side is vacuous.
    expect(cells).toBeGreaterThan(200_000);
    expect(allowed).toBeGreaterThan(cells / 50);
    expect(cells - allowed).toBeGreaterThan(cells / 2);
  });

  test('every rule is the only one refusing some cell (none is dead)', () => {
    const soleRefusals = new Map(RULES.map((rule) => [rule.name, 0]));
    for (const c of universe()) {
      const failing = RULES.filter((rule) => !rule.holds(c));
      const only = failing[0];
      if (failing.length === 1 && only) {
        expect(may(c.caller, c.action, c.target, c.context).allowed).toBe(false);
        soleRefusals.set(only.name, (soleRefusals.get(only.name) ?? 0) + 1);
      }
    }
    for (const [name, count] of soleRefusals) expect(count, name).toBeGreaterThan(0);
  });
});

const SCOPE_ACTIONS: [PolicyAction, string][] = [
  ['role.create', 'roles:write'],
  ['role.update', 'roles:write'],
  ['role.delete', 'roles:write'],
  ['member.add', 'members:write'],
  ['member.change', 'members:write'],
  ['member.remove', 'members:write'],
  ['service_account.create', 'service_accounts:write'],
  ['service_account.update', 'service_accounts:write'],
];

describe('may: roles, members and service accounts', () => {
  const scopeSets = [
    [],
    ['deploys:read'],
    ['deploys:*'],
    ['*:*'],
    ['keyward:admin'],
    ['*:*', 'keyward:admin'],
  ];
  for (const [action, scope] of SCOPE_ACTIONS) {
    test(`${action}: needs ${scope} and every right the change touches`, () => {
      for (const held of scopeSets)
        for (const touched of scopeSets)
          for (const withScope of [true, false]) {
            const scopes = withScope ? [...held, scope] : held;
            const caller: PolicyCaller = {
              via: 'token',
              ownerType: 'user',
              ownerId: 'usr_alice',
              tokenId: 'tok_caller',
              scopes,
              expiresAt: null,
            };
            const decision = may(
              caller,
              action,
              { kind: 'scopes', scopes: touched },
              { now: NOW, maxTokenLifetimeSeconds: null },
            );
            const expected = covers(scopes, scope) && holdsAll(scopes, touched);
            expect(decision.allowed, `[${scopes}] on [${touched}]`).toBe(expected);
          }
    });
  }
});

describe('may: instance and project changes need their scope only', () => {
  test.each([
    ['project.create', ['*:*'], false],
    ['project.create', ['keyward:admin'], true],
    ['user.update', ['*:*'], false],
    ['project.update', ['projects:admin'], true],
    ['token.bulk_revoke', ['tokens:write'], false],
    ['token.bulk_revoke', ['tokens:write', 'projects:admin'], true],
  ] as const)('%s with %j → %s', (action, scopes, allowed) => {
    const caller: PolicyCaller = {
      via: 'session',
      ownerType: 'user',
      ownerId: 'usr_alice',
      tokenId: null,
      scopes: [...scopes],
      expiresAt: NOW + HOUR,
    };
    expect(may(caller, action, { kind: 'none' }, { now: NOW, maxTokenLifetimeSeconds: null }).allowed).toBe(
      allowed,
    );
  });
});
