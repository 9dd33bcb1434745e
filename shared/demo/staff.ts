/** The demo authority's workforce: IROs, social workers, team managers and personal advisers, scaled to its size. */
import type { ProfessionalRole } from '#domain/codes';

/** The default demo size the workforce ratios were set for (a mid-sized authority, like the seeds). */
export const REFERENCE_CHILDREN = 470;

export type ServiceKey = 'north' | 'south' | 'permanence' | 'disabilities' | 'leavingCare';

interface ServiceSpec {
  key: ServiceKey;
  service: string;
  /** Team names are "<prefix> 1", "<prefix> 2"…, or just the prefix when the service has one team and `soloName` is set. */
  teamPrefix: string;
  soloName: boolean;
  /** Share of the team managers (and so of the teams) at any size. */
  weight: number;
}

const SERVICES: readonly ServiceSpec[] = [
  { key: 'north', service: 'CiN/CP North', teamPrefix: 'North', soloName: false, weight: 2 },
  { key: 'south', service: 'CiN/CP South', teamPrefix: 'South', soloName: false, weight: 2 },
  { key: 'permanence', service: 'Permanence', teamPrefix: 'Permanence', soloName: false, weight: 2 },
  { key: 'disabilities', service: 'Children with Disabilities', teamPrefix: 'Disabilities', soloName: true, weight: 1 },
  { key: 'leavingCare', service: 'Leaving Care', teamPrefix: 'Leaving Care', soloName: true, weight: 1 },
];

export interface Team {
  name: string;
  service: string;
  serviceKey: ServiceKey;
  managerId: string;
  /** Social workers, or personal advisers in a Leaving Care team. */
  workerIds: readonly string[];
}

export interface StaffMember {
  workerId: string;
  role: ProfessionalRole;
  team: string;
  service: string;
}

export interface Staff {
  members: readonly StaffMember[];
  iroIds: readonly string[];
  teams: readonly Team[];
  teamsOf: Readonly<Record<ServiceKey, readonly Team[]>>;
  /** Area and Permanence teams: where a sibling allocated apart from the others usually sits. */
  fieldTeams: readonly Team[];
  counts: Readonly<Record<ProfessionalRole, number>>;
}

/** Splits `total` over weights by largest remainder, at least one each, so small sizes still have every service. */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map((x) => Math.max(1, Math.floor(x)));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]![1]]! += 1;
  return counts;
}

function idMaker(prefix: string, minWidth: number, count: number): (n: number) => string {
  const width = Math.max(minWidth, String(count).length);
  return (n) => `${prefix}${String(n).padStart(width, '0')}`;
}

/** The workforce for an authority with `children` looked after: 10 IROs, 25 SWs, 8 TMs and 6 PAs per 470 children. */
export function buildStaff(children: number): Staff {
  const scale = Math.max(children, 1) / REFERENCE_CHILDREN;
  const teamCount = Math.max(SERVICES.length, Math.round(8 * scale));
  const teamsPerService = apportion(
    teamCount,
    SERVICES.map((s) => s.weight),
  );
  const fieldTeamCount = teamsPerService.reduce((sum, n, i) => sum + (SERVICES[i]!.key === 'leavingCare' ? 0 : n), 0);
  const leavingCareTeamCount = teamCount - fieldTeamCount;
  const swCount = Math.max(fieldTeamCount, Math.round(25 * scale));
  const paCount = Math.max(leavingCareTeamCount, Math.round(6 * scale));
  const iroCount = Math.max(1, Math.round(10 * scale));

  const iroId = idMaker('IRO', 2, iroCount);
  const swId = idMaker('SW', 3, swCount);
  const tmId = idMaker('TM', 2, teamCount);
  const paId = idMaker('PA', 2, paCount);

  const members: StaffMember[] = [];
  const iroIds: string[] = [];
  for (let n = 1; n <= iroCount; n++) {
    iroIds.push(iroId(n));
    members.push({ workerId: iroId(n), role: 'IRO', team: 'IRO Service', service: 'Quality Assurance' });
  }

  // Team skeletons first, so workers can be dealt round-robin over them.
  const teams: { spec: ServiceSpec; name: string; managerId: string; workers: string[] }[] = [];
  SERVICES.forEach((spec, i) => {
    const n = teamsPerService[i]!;
    for (let t = 1; t <= n; t++) {
      const name = n === 1 && spec.soloName ? spec.teamPrefix : `${spec.teamPrefix} ${t}`;
      teams.push({ spec, name, managerId: tmId(teams.length + 1), workers: [] });
    }
  });
  const fieldTeams = teams.filter((t) => t.spec.key !== 'leavingCare');
  const leavingCareTeams = teams.filter((t) => t.spec.key === 'leavingCare');
  for (let n = 1; n <= swCount; n++) fieldTeams[(n - 1) % fieldTeams.length]!.workers.push(swId(n));
  for (let n = 1; n <= paCount; n++) leavingCareTeams[(n - 1) % leavingCareTeams.length]!.workers.push(paId(n));

  for (const t of teams) members.push({ workerId: t.managerId, role: 'TM', team: t.name, service: t.spec.service });
  for (const t of teams) {
    const role: ProfessionalRole = t.spec.key === 'leavingCare' ? 'PA' : 'SW';
    for (const w of t.workers) members.push({ workerId: w, role, team: t.name, service: t.spec.service });
  }

  const finalTeams: Team[] = teams.map((t) => ({
    name: t.name,
    service: t.spec.service,
    serviceKey: t.spec.key,
    managerId: t.managerId,
    workerIds: t.workers,
  }));
  const teamsOf = Object.fromEntries(
    SERVICES.map((s) => [s.key, finalTeams.filter((t) => t.serviceKey === s.key)]),
  ) as Record<ServiceKey, Team[]>;
  return {
    members,
    iroIds,
    teams: finalTeams,
    teamsOf,
    fieldTeams: [...teamsOf.north, ...teamsOf.south, ...teamsOf.permanence],
    counts: { IRO: iroCount, SW: swCount, TM: teamCount, PA: paCount },
  };
}
