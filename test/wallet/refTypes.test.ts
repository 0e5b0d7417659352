import { describe, expect, it } from 'vitest';
import { refTypeName } from '../../src/wallet/refTypes.ts';

describe('refTypeName', () => {
  it.each([
    ['bounty_prizes', 'Bounty prizes'],
    ['market_escrow', 'Market escrow'],
    ['brokers_fee', "Broker's fee"],
    ['transaction_tax', 'Sales tax'],
    ['market_transaction', 'Market transaction'],
    ['player_donation', 'Player donation'],
    ['corporation_account_withdrawal', 'Corporation withdrawal'],
    ['agent_mission_reward', 'Mission reward'],
    ['agent_mission_time_bonus_reward', 'Mission time bonus'],
    ['insurance', 'Insurance'],
    ['ess_escrow_transfer', 'ESS payout'],
    ['planetary_import_tax', 'Planetary import tax'],
    ['planetary_export_tax', 'Planetary export tax'],
    ['contract_brokers_fee', "Contract broker's fee"],
    ['jump_clone_installation_fee', 'Jump clone installation'],
    ['industry_job_tax', 'Industry job tax'],
    ['reprocessing_tax', 'Reprocessing tax'],
    ['skill_purchase', 'Skill purchase'],
    ['daily_goal_payouts', 'Daily goal reward'],
  ])('given %s, then "%s"', (refType, name) => {
    expect(refTypeName(refType)).toBe(name);
  });

  it('given a ref type the table lacks, then its words, sentence-cased', () => {
    expect(refTypeName('gm_plex_fee_refund')).toBe('Gm plex fee refund');
    expect(refTypeName('some_NEW__type_')).toBe('Some new type');
  });

  it('given a name an object inherits, then it is not mistaken for a table entry', () => {
    expect(refTypeName('constructor')).toBe('Constructor');
    expect(refTypeName('__proto__')).toBe('Proto');
  });

  it('given an empty ref type, then "Unknown"', () => {
    expect(refTypeName('')).toBe('Unknown');
  });
});
