// The regulators' returns and the evidence behind them, computed from the complaints held to a
// regulatory profile and the complaint_events their workflows record (workflows/regulatory.ts):
// - fcaReturn: the FCA complaints return, DISP 1 Annex 1R (fca-return.ts, where its counting rules are);
// - asicIdrExport: ASIC's IDR data report, one row per complaint (asic-idr.ts);
// - regulatoryBreaches: every regulatory deadline missed (regulatory-breaches.ts);
// - regulatoryEvidence: one complaint's deadlines and what happened to each (regulatory-evidence.ts).
// Periods are half-years or from/to, their edges midnights in the regulator's time zone
// (regulatory-calendar.ts); business days are counted in the profile's calendar, as the clocks are.

export { fcaReturn, fcaTimeBand, FCA_REGULATIONS, FCA_RETURN_COLUMNS, type FcaReturnRow } from './fca-return';
export { asicIdrExport, ASIC_IDR_COLUMNS, ASIC_IDR_LABELS, type AsicIdrRow } from './asic-idr';
export { regulatoryBreaches, BREACH_COLUMNS, type BreachRow } from './regulatory-breaches';
export { regulatoryEvidence, type EvidenceClock, type ClockOutcome } from './regulatory-evidence';
export { resolvePeriod, type Period, type PeriodInput } from './regulatory-calendar';
