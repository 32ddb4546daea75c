import { describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX, priorityOf } from './priority';
import { abilities, navigation } from './roles';

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
