import { config as readConfig, publicUrl } from '../lib/config';
import { db } from '../lib/db';
import { mailer } from '../lib/mailer';
import { customerActivities } from './customer';
import type { ActivityDeps } from './deps';
import { classifyFailures } from './errors';
import { eventActivities } from './events';
import { planActivities } from './plan';
import { reviewActivities } from './review';
import { staffActivities } from './staff';

export type { ActivityDeps } from './deps';
export type { StepInput, ComplaintRow } from './events';

/** Every activity, bound to its clients, its failures classified (activities/errors.ts). */
export function createActivities(deps: ActivityDeps) {
  const all = {
    ...planActivities(deps), ...eventActivities(deps), ...customerActivities(deps), ...staffActivities(deps), ...reviewActivities(deps),
  };
  return Object.fromEntries(Object.entries(all).map(([name, fn]) => [name, classifyFailures(fn as (...a: unknown[]) => Promise<unknown>)])) as typeof all;
}

export type Activities = ReturnType<typeof createActivities>;

export function defaultActivities(): Activities {
  const c = readConfig();
  return createActivities({ db: db(), mailer: mailer(), config: { ...c, publicUrl: publicUrl(c) } });
}
