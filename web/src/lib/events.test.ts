import { describe, expect, it } from 'vitest';
import { isDecided, normaliseKey, outcomeWords, reporterName } from './events';

describe('outcomeWords', () => {
  it('names the incident a report became or joined', () => {
    expect(outcomeWords({ status: 'promoted', incident: 'INC-000007', decision: null })).toBe(
      'It became incident INC-000007, which you can follow as its reporter.',
    );
    expect(outcomeWords({ status: 'promoted', incident: 'INC-000007', decision: null }, false)).toBe('It became incident INC-000007.');
    expect(outcomeWords({ status: 'merged', incident: 'INC-000003', decision: null })).toMatch(/added to incident INC-000003/);
  });
  it('says why a report was closed', () => {
    const decision = { outcome: 'dismissed' as const, dismissal: 'duplicate' as const, duplicate_of: 'EVT-000002', reason: 'x', by: 'alex', at: null };
    expect(outcomeWords({ status: 'dismissed', incident: null, decision })).toBe('Closed: it was already reported as EVT-000002.');
    expect(outcomeWords({ status: 'dismissed', incident: null, decision: { ...decision, dismissal: 'not_security', duplicate_of: null } })).toMatch(/not a security matter/);
    expect(outcomeWords({ status: 'new', incident: null, decision: null })).toMatch(/Waiting/);
  });
});

describe('isDecided', () => {
  it('is true for the three decisions only', () => {
    expect(isDecided({ status: 'new' })).toBe(false);
    expect(isDecided({ status: 'triaging' })).toBe(false);
    expect(isDecided({ status: 'promoted' })).toBe(true);
    expect(isDecided({ status: 'dismissed' })).toBe(true);
  });
});

describe('normaliseKey', () => {
  it('accepts keys as people type them', () => {
    expect(normaliseKey('INC-000012')).toBe('INC-000012');
    expect(normaliseKey(' inc-12 ')).toBe('INC-000012');
    expect(normaliseKey('evt12')).toBe('EVT-000012');
  });
  it('refuses anything else', () => {
    expect(normaliseKey('PRB-000001')).toBeNull();
    expect(normaliseKey('12')).toBeNull();
    expect(normaliseKey('EVT-000001', ['INC'])).toBeNull();
  });
});

describe('reporterName', () => {
  it('names a person, an address, detection or nobody', () => {
    expect(reporterName({ reporter: 'rita', reporter_email: null, channel: 'portal' })).toBe('rita');
    expect(reporterName({ reporter: null, reporter_email: 'x@example.org', channel: 'email' })).toBe('x@example.org');
    expect(reporterName({ reporter: null, reporter_email: null, channel: 'detection', system_report: true })).toMatch(/automatic detection/);
    expect(reporterName({ reporter: null, reporter_email: null, channel: 'portal' })).toBe('anonymous');
  });
});
