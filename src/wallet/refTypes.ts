/**
 * Wallet journal ref types (ESI's `ref_type`) in the words a player knows from the game.
 * The table holds the common ones; any other reads as its own words, sentence-cased.
 */
const REF_TYPE_NAMES: Readonly<Record<string, string>> = {
  // Combat
  bounty_prizes: 'Bounty prizes',
  bounty_prize: 'Bounty prize',
  bounty_prize_corporation_tax: 'Bounty corporation tax',
  npc_bounty_security_tax: 'Bounty security tax',
  ess_escrow_transfer: 'ESS payout',
  kill_right_fee: 'Kill right fee',
  insurance: 'Insurance',
  contraband_fine: 'Contraband fine',

  // Missions, agents and rewards
  agent_mission_reward: 'Mission reward',
  agent_mission_time_bonus_reward: 'Mission time bonus',
  agent_mission_reward_corporation_tax: 'Mission corporation tax',
  agent_mission_time_bonus_reward_corporation_tax: 'Mission time bonus corporation tax',
  agent_mission_security_tax: 'Mission security tax',
  agent_mission_collateral_paid: 'Mission collateral paid',
  agent_mission_collateral_refunded: 'Mission collateral refunded',
  agent_location_services: 'Agent location services',
  agent_donation: 'Agent donation',
  corporate_reward_payout: 'Corporation project reward',
  corporate_reward_tax: 'Corporation project tax',
  daily_goal_payouts: 'Daily goal reward',
  daily_goal_payouts_tax: 'Daily goal tax',
  daily_challenge_reward: 'Daily challenge reward',
  season_challenge_reward: 'Season challenge reward',
  milestone_reward_payment: 'Milestone reward',
  opportunity_reward: 'Opportunity reward',
  project_discovery_reward: 'Project Discovery reward',
  resource_wars_reward: 'Resource Wars reward',
  air_career_program_reward: 'AIR career program reward',
  insurgency_corruption_contribution_reward: 'Insurgency corruption reward',
  insurgency_suppression_contribution_reward: 'Insurgency suppression reward',
  campaign_objective_isk_reward: 'Campaign objective reward',
  freelance_jobs_reward: 'Freelance job reward',
  freelance_jobs_reward_corporation_tax: 'Freelance job corporation tax',
  freelance_jobs_reward_escrow: 'Freelance job escrow',
  freelance_jobs_escrow_refund: 'Freelance job escrow refund',

  // Market
  market_transaction: 'Market transaction',
  market_escrow: 'Market escrow',
  brokers_fee: "Broker's fee",
  transaction_tax: 'Sales tax',
  market_provider_tax: 'Market provider tax',

  // Contracts
  contract_price: 'Contract price',
  contract_price_payment_corp: 'Contract price (corporation)',
  contract_reward: 'Contract reward',
  contract_reward_deposited: 'Contract reward deposited',
  contract_reward_refund: 'Contract reward refund',
  contract_collateral: 'Contract collateral',
  contract_collateral_payout: 'Contract collateral payout',
  contract_collateral_refund: 'Contract collateral refund',
  contract_deposit: 'Contract deposit',
  contract_deposit_refund: 'Contract deposit refund',
  contract_brokers_fee: "Contract broker's fee",
  contract_sales_tax: 'Contract sales tax',
  contract_deposit_sales_tax: 'Contract sales tax deposit',
  contract_auction_bid: 'Contract auction bid',
  contract_auction_bid_refund: 'Contract auction bid refund',
  contract_auction_sold: 'Contract auction sold',
  contract_reversal: 'Contract reversal',
  courier_mission_escrow: 'Courier contract escrow',

  // People and corporations
  player_donation: 'Player donation',
  player_trading: 'Direct trade',
  corporation_account_withdrawal: 'Corporation withdrawal',
  corporation_payment: 'Corporation payment',
  corporation_bulk_payment: 'Corporation bulk payment',
  corporation_dividend_payment: 'Corporation dividend',
  corporation_registration_fee: 'Corporation registration fee',
  corporation_logo_change_cost: 'Corporation logo change',
  office_rental_fee: 'Office rental fee',
  war_fee: 'War declaration fee',
  war_fee_surrender: 'War surrender fee',
  war_ally_contract: 'War ally contract',
  alliance_maintainance_fee: 'Alliance maintenance fee',
  sovereignity_bill: 'Sovereignty bill',
  infrastructure_hub_maintenance: 'Infrastructure hub maintenance',
  medal_creation: 'Medal creation',
  medal_issued: 'Medal issued',
  inheritance: 'Inheritance',

  // Industry and planets
  industry_job_tax: 'Industry job tax',
  industry_security_tax: 'Industry security tax',
  manufacturing: 'Manufacturing',
  researching_material_productivity: 'Material efficiency research',
  researching_time_productivity: 'Time efficiency research',
  researching_technology: 'Invention',
  copying: 'Blueprint copying',
  reaction: 'Reaction',
  reprocessing_tax: 'Reprocessing tax',
  planetary_import_tax: 'Planetary import tax',
  planetary_export_tax: 'Planetary export tax',
  planetary_construction: 'Planetary construction',
  skyhook_claim_fee: 'Skyhook claim fee',

  // Clones, skills and travel
  jump_clone_installation_fee: 'Jump clone installation',
  jump_clone_activation_fee: 'Jump clone activation',
  clone_activation: 'Clone activation',
  skill_purchase: 'Skill purchase',
  structure_gate_jump: 'Jump bridge fee',
  acceleration_gate_fee: 'Acceleration gate fee',
  docking_fee: 'Docking fee',
  repair_bill: 'Repair bill',
  asset_safety_recovery_tax: 'Asset safety recovery tax',
  release_of_impounded_property: 'Impounded property release',
  lp_store: 'LP store',
  store_purchase: 'New Eden Store purchase',
  store_purchase_refund: 'New Eden Store refund',
  redeemed_isk_token: 'Redeemed ISK token',
  item_trader_payment: 'Item trader payment',

  // Skins
  cosmetic_market_skin_sale: 'SKIN sale',
  cosmetic_market_skin_purchase: 'SKIN purchase',
  cosmetic_market_skin_sale_tax: 'SKIN sales tax',
  cosmetic_market_skin_sale_broker_fee: "SKIN broker's fee",
};

/** "bounty_prizes" → "Bounty prizes"; a ref type the table lacks reads as its words, sentence-cased. */
export function refTypeName(refType: string): string {
  if (Object.hasOwn(REF_TYPE_NAMES, refType)) return REF_TYPE_NAMES[refType]!;
  const text = refType.replace(/_+/g, ' ').trim().toLowerCase();
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : 'Unknown';
}
