import type { Route } from '../context.ts';
import { streamChanges } from './change-stream.ts';
import { createTokenProjects } from './project-changes.ts';
import { reportErrors } from './report-errors.ts';
import { reportUsage } from './report-usage.ts';
import { sdkVerify } from './sdk-verify.ts';

/** What the provider SDK (`@keyward/sdk`) calls: verification with quota leases, changes, reports. */
export const SDK_ROUTES: readonly Route[] = [
  (app, ctx) => {
    // One app's routes share what they learnt of token projects (one app per set of deps).
    const known = createTokenProjects();
    sdkVerify(known)(app, ctx);
    streamChanges(known)(app, ctx);
  },
  reportUsage,
  reportErrors,
];
