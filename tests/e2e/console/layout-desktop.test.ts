import { SIZES } from './layout-checks.ts';
import { describeLayout } from './layout-suite.ts';

describeLayout(SIZES.filter((size) => [1280, 1920].includes(size.width)));
