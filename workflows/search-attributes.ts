import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

// What makes a complaint findable in the Temporal UI and with `temporal workflow list --query`: kept
// current by the workflow, set at the start by the API, registered with the server by the run command,
// the tests (scripts/stack.ts) and docker-compose.yml.

export const SEARCH_ATTRIBUTES = {
  stage: defineSearchAttributeKey('ComplaintStage', SearchAttributeType.KEYWORD),
  severity: defineSearchAttributeKey('ComplaintSeverity', SearchAttributeType.KEYWORD),
  department: defineSearchAttributeKey('ComplaintDepartment', SearchAttributeType.KEYWORD),
  owner: defineSearchAttributeKey('ComplaintOwner', SearchAttributeType.INT),
  breached: defineSearchAttributeKey('ComplaintBreached', SearchAttributeType.BOOL),
} as const;

/** `NAME=Type` pairs for `temporal server start-dev --search-attribute` and `temporal operator search-attribute create`. */
export const SEARCH_ATTRIBUTE_TYPES: Record<string, string> = Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((k) => [
  k.name, { KEYWORD: 'Keyword', INT: 'Int', BOOL: 'Bool' }[k.type as 'KEYWORD' | 'INT' | 'BOOL'],
]));

export interface Findable { stage: string; severity: string; department: string | null; ownerId: number | null; breached: boolean }

/** The search attributes of a complaint as it stands (a null removes one). */
export function searchAttributesOf(c: Findable) {
  const { stage, severity, department, owner, breached } = SEARCH_ATTRIBUTES;
  return [
    { key: stage, value: c.stage }, { key: severity, value: c.severity }, { key: department, value: c.department },
    { key: owner, value: c.ownerId }, { key: breached, value: c.breached },
  ];
}

/** The same, for starting a workflow (only what is set). */
export const startSearchAttributes = (c: Findable): SearchAttributePair[] =>
  searchAttributesOf(c).filter((p) => p.value !== null) as SearchAttributePair[];
