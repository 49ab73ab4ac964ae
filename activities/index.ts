import { config as readConfig, publicUrl } from '../lib/config';
import { db } from '../lib/db';
import { mailer } from '../lib/mailer';
import { customerActivities } from './customer';
import type { ActivityDeps } from './deps';
import { eventActivities } from './events';
import { planActivities } from './plan';
import { reviewActivities } from './review';
import { staffActivities } from './staff';

export type { ActivityDeps } from './deps';
export type { StepInput, ComplaintRow } from './events';

/** Every activity, bound to its clients. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...planActivities(deps), ...eventActivities(deps), ...customerActivities(deps), ...staffActivities(deps), ...reviewActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export function defaultActivities(): Activities {
  const c = readConfig();
  return createActivities({ db: db(), mailer: mailer(), config: { ...c, publicUrl: publicUrl(c) } });
}
