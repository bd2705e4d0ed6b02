// Figure 5 in a process of its own: started by mapping-processes.ts; prints one `RESULT <json>` line.
import { reportFromChild } from './child-run';
import { MAPPING_FORMATS, measureMapping } from './mapping';

if (require.main === module) reportFromChild(async () => measureMapping(MAPPING_FORMATS, Number(process.env.BENCH_MAPPING_RECORDS)));
