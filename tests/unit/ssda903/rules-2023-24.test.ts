/** Every DfE rule of the 2023-24 return against its own valid and invalid examples. */
import { ruleSuite } from '../../support/ssda903-examples.ts';

ruleSuite('2023-24');
