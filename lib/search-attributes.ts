import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

/**
 * Registers the complaints' search attributes on the namespace when they are missing (a self-hosted
 * cluster, Docker Compose; the dev server gets them at start). Returns the names it added. Temporal Cloud
 * does not take this call: there, create them once with `tcld` or in the Cloud UI.
 */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(SEARCH_ATTRIBUTES).filter((k) => !(customAttributes && k.name in customAttributes));
  if (!missing.length) return [];
  await client.connection.operatorService.addSearchAttributes({
    namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED[k.type]])),
  });
  return missing.map((k) => k.name);
}
