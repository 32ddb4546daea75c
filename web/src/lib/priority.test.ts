import { describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX, priorityOf } from './priority';
import { abilities, navigation } from './roles';
import { classify, REPORT_KINDS, withinWords } from './report';
import type { Category } from '../api/types';

describe('priorityOf', () => {
  it('reads the default matrix as documented', () => {
    expect(priorityOf(DEFAULT_MATRIX, 'extensive', 'critical')).toBe(1);
    expect(priorityOf(DEFAULT_MATRIX, 'significant', 'high')).toBe(2);
    expect(priorityOf(DEFAULT_MATRIX, 'moderate', 'medium')).toBe(3);
    expect(priorityOf(DEFAULT_MATRIX, 'minor', 'low')).toBe(4);
  });
  it('follows a changed matrix', () => {
    const m = structuredClone(DEFAULT_MATRIX);
    m.minor.low = 1;
    expect(priorityOf(m, 'minor', 'low')).toBe(1);
  });
  it('refuses a matrix without the cell', () => {
    const m = structuredClone(DEFAULT_MATRIX) as unknown as Record<string, Record<string, number>>;
    delete m.minor.low;
    expect(() => priorityOf(m as never, 'minor', 'low')).toThrow(/no cell/);
  });
});

describe('abilities and navigation', () => {
  it('gives reporters their reports and the report button only', () => {
    const a = abilities(['reporter']);
    expect(a.report).toBe(true);
    expect(a.work).toBe(false);
    expect(navigation(a).map((n) => n.label)).toEqual(['Home', 'My incidents']);
  });
  it('gives auditors read-only access and the audit trail, no report button', () => {
    const a = abilities(['auditor']);
    expect(a.report).toBe(false);
    expect(a.readOnly).toBe(true);
    expect(navigation(a).map((n) => n.label)).toEqual(['Home', 'Incidents', 'Problems', 'Audit trail']);
  });
  it('gives agents and managers the triage queue', () => {
    expect(navigation(abilities(['agent'])).map((n) => n.label)).toEqual(['Home', 'Incidents', 'Triage', 'Problems']);
    expect(navigation(abilities(['security_manager'])).map((n) => n.label)).toContain('Triage');
    expect(navigation(abilities(['auditor'])).map((n) => n.label)).not.toContain('Triage');
  });
  it('gives admins administration and incident managers the rules', () => {
    expect(navigation(abilities(['admin'])).map((n) => n.label)).toContain('Administration');
    const im = abilities(['incident_manager']);
    expect(im.manage && im.reference && im.work).toBe(true);
    expect(im.admin).toBe(false);
  });
});

describe('report form', () => {
  const cat = (code: string, parent: string | null, active = true): Category => ({ code, name: code, parent, active, builtin: true, security: true });
  it('maps a kind to its subcategory when the taxonomy has it', () => {
    const phishing = REPORT_KINDS.find((k) => k.id === 'phishing')!;
    expect(classify(phishing, [cat('fraud', null), cat('phishing', 'fraud')])).toEqual({ category: 'fraud', subcategory: 'phishing' });
  });
  it('falls back to the class, then to "other", when categories were retired', () => {
    const phishing = REPORT_KINDS.find((k) => k.id === 'phishing')!;
    expect(classify(phishing, [cat('fraud', null), cat('phishing', 'fraud', false)])).toEqual({ category: 'fraud', subcategory: null });
    expect(classify(phishing, [])).toEqual({ category: 'other', subcategory: null });
  });
  it('says in words how soon the team responds', () => {
    expect(withinWords(15 * 60_000)).toBe('within 15 minutes');
    expect(withinWords(4 * 3_600_000)).toBe('within 4 hours');
    expect(withinWords(72 * 3_600_000)).toBe('within 3 days');
  });
});
