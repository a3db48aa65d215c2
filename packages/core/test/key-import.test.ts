import { describe, expect, test } from 'vitest';
import { existingKeyOutcome } from '../src/key-import.ts';

const caller = { projectId: 'prj_a', scopes: ['tokens:write', 'jobs:*'] };

describe('importing a key that already exists', () => {
  test('an imported key of the caller project within its rights is skipped (a re-run)', () => {
    expect(existingKeyOutcome({ projectId: 'prj_a', kind: 'imported', scopes: ['jobs:read'] }, caller)).toBe(
      'skip',
    );
  });

  test.each([
    ['another project', { projectId: 'prj_b', kind: 'imported', scopes: ['jobs:read'] }],
    ['an issued token', { projectId: 'prj_a', kind: 'standard', scopes: ['jobs:read'] }],
    ['rights the caller lacks', { projectId: 'prj_a', kind: 'imported', scopes: ['audit:read'] }],
  ])('anything else is a conflict: %s', (_, existing) => {
    expect(existingKeyOutcome(existing, caller)).toBe('conflict');
  });
});
