import type { Person } from './organisation';
import { postJson } from './services';

/** `person` calls POST /complaints/:id/<action> with their token; returns status and body. */
export const act = (api: string, person: Person, id: number, action: string, body: Record<string, unknown>) =>
  postJson(`${api}/complaints/${id}/${action}`, body, person.auth);

/** Like `act`, but the action must succeed. */
export async function must(api: string, person: Person, id: number, action: string, body: Record<string, unknown>) {
  const res = await act(api, person, id, action, body);
  if (res.status !== 200) throw new Error(`${action} answered ${res.status}: ${res.text}`);
  return res.body;
}
