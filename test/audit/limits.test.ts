import { describe, expect, it } from 'vitest';
import { DISCORD_LIMITS, fitFields, fitLines } from '../../src/bot/replyLimits.ts';
import { assertMayAudit, assertMayChangeSettings } from '../../src/audit/access.ts';
import { AuditAccessDeniedError, AuditSettingsAccessDeniedError } from '../../src/audit/errors.ts';
import { parseCorporationList } from '../../src/audit/settings.ts';

const more = (n: number) => `… and ${n} more`;

describe('fitLines', () => {
  it('given lines that fit, then all of them', () => {
    expect(fitLines(['a', 'b', 'c'], 100, more)).toBe('a\nb\nc');
  });

  it('given too many lines, then as many as fit and how many were left out, within the limit', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line number ${i}`);
    const text = fitLines(lines, DISCORD_LIMITS.fieldValue, more);
    expect(text.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    const shown = text.split('\n').length - 1;
    expect(text.endsWith(`… and ${500 - shown} more`)).toBe(true);
  });
});

describe('fitFields', () => {
  const field = (i: number, size: number) => ({ name: `field ${i}`, value: 'x'.repeat(size) });
  const note = (n: number) => ({ name: 'More', value: `${n} more` });
  const total = (fields: { name: string; value: string }[], used: number) => fields.reduce((s, f) => s + f.name.length + f.value.length, used);

  it('given fields within the limits, then unchanged (empty ones dropped)', () => {
    expect(fitFields([field(1, 10), { name: 'empty', value: '' }], 100, note)).toEqual([field(1, 10)]);
  });

  it('given more than 6000 characters or 25 fields, then the last ones give way to a note', () => {
    const many = Array.from({ length: 30 }, (_, i) => field(i, 1000));
    const kept = fitFields(many, 500, note);
    expect(total(kept, 500)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(kept.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    expect(kept.at(-1)).toEqual({ name: 'More', value: `${30 - (kept.length - 1)} more` });
  });
});

describe('/audit access', () => {
  const settings = { adminRoleId: 5n, trackedCorporationIds: [] };
  it('given Manage Server, or the admin role, then allowed; otherwise refused', () => {
    expect(() => assertMayAudit(settings, { discordUserId: 1n, canManageGuild: true, roleIds: [] })).not.toThrow();
    expect(() => assertMayAudit(settings, { discordUserId: 1n, canManageGuild: false, roleIds: [7n, 5n] })).not.toThrow();
    expect(() => assertMayAudit(settings, { discordUserId: 1n, canManageGuild: false, roleIds: [7n] })).toThrow(AuditAccessDeniedError);
    expect(() => assertMayAudit({ adminRoleId: null, trackedCorporationIds: [] }, { discordUserId: 1n, canManageGuild: false, roleIds: [] })).toThrow(AuditAccessDeniedError);
  });

  it('given only the admin role, then the settings stay closed', () => {
    expect(() => assertMayChangeSettings({ discordUserId: 1n, canManageGuild: false, roleIds: [5n] })).toThrow(AuditSettingsAccessDeniedError);
  });
});

describe('parseCorporationList', () => {
  it('given ids and names, then both, deduplicated, blanks ignored', () => {
    expect(parseCorporationList(' 98000001, Alpha Industries ;98000001,, alpha industries\nBeta ')).toEqual({
      ids: [98000001n],
      names: ['Alpha Industries', 'Beta'],
    });
  });
});
