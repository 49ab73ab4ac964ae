import { uniqueAddress } from './mail';

/** A valid complaint body; a test overrides what it cares about. */
export function complaintBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    customerName: 'Ada Lovelace',
    customerEmail: uniqueAddress('ada'),
    customerPhone: '+44 20 7946 0000',
    channel: 'web',
    description: 'The kettle leaks from its base after two days of use.',
    occurredOn: '2026-11-20',
    product: 'Kettle K-200',
    ...overrides,
  };
}
