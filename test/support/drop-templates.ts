// Run by scripts/test-server.js at the end of a run: removes the run's template databases (CABINET_TEST_TEMPLATE_KEY).
import { dropTemplates, TEMPLATE_KEY } from './databases';

await dropTemplates(TEMPLATE_KEY);
