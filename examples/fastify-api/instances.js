// Seed 002's resource: the instances a caller's account runs.
export const INSTANCES = [
  { id: 'ins_1', name: 'web-1', region: 'ewr1', status: 'running' },
  { id: 'ins_2', name: 'db-1', region: 'ewr1', status: 'stopped' },
];
