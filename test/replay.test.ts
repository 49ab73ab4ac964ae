import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Runtime, DefaultLogger, Worker } from '@temporalio/worker';

// The safety net for changing the complaint workflow: every history recorded from a real complaint
// (test/histories/, written by `npm run histories:record`) must replay on the workflow code as it is
// now. A change that would break complaints already running fails here, naming the history.
// Why and how to keep these files: test/histories/README.md.

const HISTORIES = path.join(__dirname, 'histories');
const WORKFLOWS = path.join(__dirname, '..', 'workflows', 'index.ts'); // what worker/worker.ts runs

const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort();
const scenarios = new Set(files.map((f) => f.split('.')[0]));

// The replayer's own log (a line per worker state change) only when asked for.
beforeAll(() => {
  if (!process.env.TEST_VERBOSE) Runtime.install({ logger: new DefaultLogger('WARN') });
});

test('recorded histories cover at least nine complaint scenarios', () => {
  expect(files.length).toBeGreaterThanOrEqual(9);
  expect(scenarios.size).toBeGreaterThanOrEqual(9);
});

test('every recorded complaint history replays on the current workflow code', async () => {
  const failures: string[] = [];
  const histories = files.flatMap((f) => {
    try {
      return [{ workflowId: f, history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, f), 'utf8'))) }];
    } catch (err) {
      failures.push(`${f}: cannot be read: ${err instanceof Error ? err.message : err}`);
      return [];
    }
  });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: new DefaultLogger('WARN') });
  const replayed: string[] = [];
  for await (const { workflowId, error } of Worker.runReplayHistories({ workflowBundle }, histories)) {
    replayed.push(workflowId);
    if (error) failures.push(`${workflowId}: ${error.name}: ${error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toEqual(histories.map((h) => h.workflowId));
}, 180_000);
