import { SIZES } from './layout-checks.ts';
import { describeLayout } from './layout-suite.ts';

describeLayout(SIZES.filter((size) => [360, 390].includes(size.width)));
