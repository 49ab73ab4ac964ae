import { ApplicationFailure } from '@temporalio/common';

// Which failures a retry can mend. A mail server that is down, a database that restarts: Temporal
// retries the activity. A row that is not there, or a template asked for a value it was not given,
// stays so however often the activity runs: it fails at once, and the workflow's failure shows it.

const permanent = (err: unknown): string | undefined => {
  const e = err as { code?: string; message?: string } | null;
  if (e?.code === 'P2025') return 'RowNotFound'; // Prisma: the record to read or change does not exist
  if (/^template \S+ needs a value/.test(e?.message ?? '')) return 'TemplateValueMissing';
  return undefined;
};

/** The activity, with the failures no retry can mend made non-retryable. */
export function classifyFailures<A extends unknown[], R>(activity: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await activity(...args);
    } catch (err) {
      const type = permanent(err);
      if (!type || err instanceof ApplicationFailure) throw err;
      throw ApplicationFailure.nonRetryable(err instanceof Error ? err.message.split('\n')[0].slice(0, 300) : String(err), type);
    }
  };
}
