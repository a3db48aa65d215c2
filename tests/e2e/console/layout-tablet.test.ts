import { SIZES } from './layout-checks.ts';
import { describeLayout } from './layout-suite.ts';

describeLayout(SIZES.filter((size) => [768, 1024].includes(size.width)));
