// Figure 5b in a process of its own: started by run.ts; prints one `RESULT <json>` line.
import { reportFromChild } from './child-run';
import { measureFilterCost } from './filter-cost';

if (require.main === module) reportFromChild(async () => measureFilterCost(Number(process.env.BENCH_FILTER_RECORDS) || undefined));
