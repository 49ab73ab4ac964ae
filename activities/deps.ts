import type { Transporter } from 'nodemailer';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';

/** The clients and settings activities work with; tests and the worker each build their own. */
export interface ActivityDeps {
  db: Db;
  mailer: Transporter;
  config: Pick<Config, 'MAIL_FROM' | 'ACTIVITY_TIMEOUT' | 'SURVEY_DELAY' | 'SURVEY_REMINDER_AFTER' | 'SURVEY_WINDOW'
    | 'REOPEN_SCORE_AT_MOST' | 'REOPEN_PRIORITY' | 'MAX_ACTIONS_PER_COMPLAINT'> & { publicUrl: string };
}
