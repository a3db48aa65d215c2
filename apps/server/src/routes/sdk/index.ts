import type { Route } from '../context.ts';
import { streamChanges } from './change-stream.ts';
import { reportErrors } from './report-errors.ts';
import { reportUsage } from './report-usage.ts';
import { sdkVerify } from './sdk-verify.ts';

/** What the provider SDK (`@keyward/sdk`) calls: verification with quota leases, changes, reports. */
export const SDK_ROUTES: readonly Route[] = [sdkVerify, streamChanges, reportUsage, reportErrors];
