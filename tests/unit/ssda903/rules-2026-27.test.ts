/** Every DfE rule of the 2026-27 return against its own valid and invalid examples. */
import { ruleSuite } from '../../support/ssda903-examples.ts';

ruleSuite('2026-27');
