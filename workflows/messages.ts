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

export interface TriageInput {
  actor: Actor;
  valid: boolean;
  rejectionReason?: string;
  category?: string;
  severity?: Severity;
  department?: string;
  owner?: Actor;
  flags?: Flag[];
}
/** A new severity (and flags, unchanged when omitted) during investigation; a new owner when the current one no longer fits. */
export interface ReclassifyInput { actor: Actor; severity: Severity; flags?: Flag[]; reason: string; owner?: Actor }
export interface NoteInput { actor: Actor; text: string }
export interface RootCauseInput { actor: Actor; rootCause: string; detail?: string }
export interface ReportInput { actor: Actor; report: string }
export interface CustomerRequestInput { actor: Actor; question: string }
export interface CustomerReplyInput { actor: Actor; reply: string }
export interface ResponseInput { actor: Actor; message: string }
export interface ResolutionInput {
  actor: Actor;
  resolutionCode: string;
  summary: string;
  remedy: Remedy;
  refundAmount?: number;
}
export interface SignOffInput { actor: Actor; approve: boolean; comment?: string }
export interface WithdrawInput { actor: Actor; reason: string }
export interface SurveyAnswer { round: number; score: number; resolved: boolean; comment?: string }

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

export interface TimelineEntry { at: string; type: string; actorId?: number; note?: string }

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
  timeline: TimelineEntry[];
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

/** Refusal types the API maps to HTTP: InvalidState 409, InvalidInput 422, Forbidden 403, SurveyAnswered 410. */
export const REFUSAL = { state: 'InvalidState', input: 'InvalidInput', forbidden: 'Forbidden', answered: 'SurveyAnswered' } as const;
