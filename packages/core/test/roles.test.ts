import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ROLES,
  INSTANCE_ADMIN_SCOPE,
  MANAGEMENT_SCOPES,
  OWNER_ROLE,
  ROLE_NAME_PATTERN,
} from '../src/roles.ts';
import { isCovered, isValidScope } from '../src/scopes.ts';

const owner = DEFAULT_ROLES.find((role) => role.name === OWNER_ROLE);

describe('default roles', () => {
  it('have valid names and valid scopes', () => {
    const names = new RegExp(ROLE_NAME_PATTERN);
    for (const role of DEFAULT_ROLES) {
      expect(role.name).toMatch(names);
      expect(role.scopes.length).toBeGreaterThan(0);
      for (const scope of role.scopes) expect(isValidScope(scope)).toBe(true);
    }
    expect(new Set(DEFAULT_ROLES.map((role) => role.name)).size).toBe(DEFAULT_ROLES.length);
  });

  it('give the owner every management scope but not instance administration', () => {
    expect(owner).toBeDefined();
    for (const scope of Object.values(MANAGEMENT_SCOPES)) {
      expect(isValidScope(scope)).toBe(true);
      expect(isCovered(scope, owner!.scopes)).toBe(true);
    }
    expect(isValidScope(INSTANCE_ADMIN_SCOPE)).toBe(true);
    expect(isCovered(INSTANCE_ADMIN_SCOPE, owner!.scopes)).toBe(false);
  });

  it('let accounting read billing and usage and nothing else', () => {
    const accounting = DEFAULT_ROLES.find((role) => role.name === 'accounting')!;
    expect(isCovered('billing:read', accounting.scopes)).toBe(true);
    expect(isCovered(MANAGEMENT_SCOPES.usageRead, accounting.scopes)).toBe(true);
    for (const scope of ['billing:write', MANAGEMENT_SCOPES.tokensWrite, MANAGEMENT_SCOPES.tokensRead]) {
      expect(isCovered(scope, accounting.scopes)).toBe(false);
    }
  });
});
