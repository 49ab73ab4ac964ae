import { defineQuery, defineUpdate } from '@temporalio/workflow';

// The messages a complaint workflow answers, and their payloads: shared by the workflow and the API.
// Staff actions are updates: a wrong one is refused at once by its validator, with a reason.

export const SEVERITIES = ['minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const FLAGS = ['legal', 'safety', 'financial'] as const;
export type Flag = (typeof FLAGS)[number];
export const ROLES = ['agent', 'supervisor', 'manager', 'senior_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const REMEDIES = ['refund', 'replacement', 'repair', 'apology', 'compensation', 'none'] as const;
export type Remedy = (typeof REMEDIES)[number];
export type ClockName = 'triage' | 'firstResponse' | 'resolution';

export type Stage =
  | 'received' | 'triage' | 'investigation' | 'waiting_on_customer' | 'resolution_proposed'
  | 'resolved' | 'survey' | 'closed';

export type Outcome = 'resolved' | 'rejected' | 'withdrawn' | 'no_response';

/** The acting staff member, as the staff directory knows them (looked up by the API), and the request they act in. */
export interface Actor { id: number; role: Role; department: string | null; requestId?: string }

// Free text (reasons, notes, questions, replies, reports, comments) is stored in PostgreSQL by the API
// (table complaint_texts) before an update is sent: updates carry its id, so no customer or staff
// wording is ever kept in Temporal's history.
/** The id of a row in complaint_texts. */
export type TextId = number;

export interface TriageInput {
  actor: Actor;
  valid: boolean;
  rejectionReasonTextId?: TextId;
  category?: string;
  severity?: Severity;
  department?: string;
  owner?: Actor;
  flags?: Flag[];
}
/** A new severity (and flags, unchanged when omitted) during investigation; a new owner when the current one no longer fits. */
export interface ReclassifyInput { actor: Actor; severity: Severity; flags?: Flag[]; reasonTextId: TextId; owner?: Actor }
export interface NoteInput { actor: Actor; textId: TextId }
export interface RootCauseInput { actor: Actor; rootCause: string; detailTextId?: TextId }
export interface ReportInput { actor: Actor; textId: TextId }
export interface CustomerRequestInput { actor: Actor; textId: TextId }
/** Recorded by staff, or by the customer on their status page (no actor). */
export interface CustomerReplyInput { actor?: Actor; textId: TextId }
export interface ResponseInput { actor: Actor; textId: TextId }
export interface ResolutionInput {
  actor: Actor;
  resolutionCode: string;
  summaryTextId: TextId;
  remedy: Remedy;
  refundAmount?: number;
  upheld?: boolean;
  redressAmount?: number;
}
export interface SignOffInput { actor: Actor; approve: boolean; commentTextId?: TextId }
export interface WithdrawInput { actor: Actor; reasonTextId: TextId }
export interface SurveyAnswer { round: number; score: number; resolved: boolean; commentTextId?: TextId }

export interface Deadline {
  clock: ClockName;
  round: number;
  dueAt: string;
  warnAt: string;
  warned: boolean;
  breachedAt?: string;
  metAt?: string;
  paused: boolean;
  escalationLevel: number;
  escalatedTo: string[];
}

export interface RegulatoryDeadline {
  clock: string;
  citation: string;
  /** letter | breach | window (see regulatory.ts). */
  atPoint: string;
  dueAt: string;
  /** met: what the rule waits for happened; letter: its letter went out at the point; breached; open. */
  state: 'open' | 'met' | 'letter' | 'breached' | 'met_late' | 'window';
}

export interface ComplaintStatus {
  complaintId: number;
  stage: Stage;
  outcome?: Outcome;
  severity: Severity;
  priority: 'normal' | 'high' | 'urgent';
  flags: Flag[];
  category?: string;
  department?: string;
  ownerId?: number;
  valid?: boolean;
  rootCause?: string;
  hasReport: boolean;
  resolutionCode?: string;
  reopenCount: number;
  surveyRound: number;
  /** The highest escalation level reached on any clock: 0 none, 1 supervisor, 2 manager, 3 senior management. */
  escalationLevel: number;
  deadlines: Deadline[];
  /** A regulator's clocks, when the complaint is held to a profile (workflows/regulatory.ts). */
  regulatory?: RegulatoryDeadline[];
  /** The number of the last step the workflow took (the timeline in PostgreSQL holds every step). */
  step: number;
  /** Staff actions accepted so far; past the policy's limits, more are refused. */
  actions: number;
}

/** What the workflow is started with: ids and instants only. */
export interface ComplaintStart {
  complaintId: number;
  /** When the complaint arrived (its registration), in ms since the epoch: every clock counts from here. */
  receivedAt: number;
}

export const statusQuery = defineQuery<ComplaintStatus>('status');

export const triageUpdate = defineUpdate<ComplaintStatus, [TriageInput]>('triage');
export const reclassifyUpdate = defineUpdate<ComplaintStatus, [ReclassifyInput]>('reclassify');
export const addNoteUpdate = defineUpdate<ComplaintStatus, [NoteInput]>('addNote');
export const recordRootCauseUpdate = defineUpdate<ComplaintStatus, [RootCauseInput]>('recordRootCause');
export const submitReportUpdate = defineUpdate<ComplaintStatus, [ReportInput]>('submitReport');
export const requestCustomerInfoUpdate = defineUpdate<ComplaintStatus, [CustomerRequestInput]>('requestCustomerInfo');
export const recordCustomerReplyUpdate = defineUpdate<ComplaintStatus, [CustomerReplyInput]>('recordCustomerReply');
export const respondUpdate = defineUpdate<ComplaintStatus, [ResponseInput]>('respond');
export const proposeResolutionUpdate = defineUpdate<ComplaintStatus, [ResolutionInput]>('proposeResolution');
export const signOffUpdate = defineUpdate<ComplaintStatus, [SignOffInput]>('signOff');
export const withdrawUpdate = defineUpdate<ComplaintStatus, [WithdrawInput]>('withdraw');
export const answerSurveyUpdate = defineUpdate<ComplaintStatus, [SurveyAnswer]>('answerSurvey');

/** Refusal types the API maps to HTTP: InvalidState 409, InvalidInput 422, Forbidden 403, SurveyAnswered 410, LimitReached 409. */
export const REFUSAL = {
  state: 'InvalidState', input: 'InvalidInput', forbidden: 'Forbidden', answered: 'SurveyAnswered', limit: 'LimitReached',
} as const;
