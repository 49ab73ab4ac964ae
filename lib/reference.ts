/** The reference customers and staff quote for a complaint, e.g. CMP-000042: derived from its id, never changing. */
export const referenceFor = (id: number) => `CMP-${String(id).padStart(6, '0')}`;
