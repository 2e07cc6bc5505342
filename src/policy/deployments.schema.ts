import { z } from 'zod';

/** A duration: minutes, hours or days (`30m`, `24h`, `1d`). */
const Duration = z.string().regex(/^[1-9][0-9]*[mhd]$/, 'a duration is a whole number followed by m, h or d (30m, 24h, 1d)');

export const DEPLOYMENTS_DEFAULTS = {
  authorisedStates: ['implement'],
  completeChanges: 'pipeline' as const,
  unauthorized: { enabled: true, quietPeriod: '24h' },
  dora: { minimumDeployments: 5, minimumPullRequests: 5, minimumFailures: 1, inferIncidents: true, recordsShown: 50 },
};

/**
 * Deployments on record (deployments.yaml, docs/deployments.md and docs/dora.md).
 * - `productionEnvironments`: the environments that count as production (compared without case); left out, the
 *   gate's `controlledEnvironments` (gate.yaml). Only production deployments count in DORA (unless a query names
 *   an environment) and raise unauthorized changes.
 * - `authorisedStates`: the states in which a change authorises a deployment on its CIs within its planned window.
 * - `completeChanges`: when a finished deployment moves its change on from `implement` with a close code:
 *   `pipeline` (the change of the run's gate check), `always` (any change it belongs to), `never`.
 * - `unauthorized`: whether production deployments no change covers raise unauthorized changes, and the quiet
 *   period per CI during which later ones join the open record.
 * - `dora`: the counts below which a figure says insufficient_data instead of a rating, whether incidents with no
 *   explicit link are attributed to the last earlier deployment of their service (shown apart as inferred), and
 *   how many record ids each figure lists.
 */
export const DeploymentsSection = z
  .strictObject({
    productionEnvironments: z.array(z.string().trim().min(1).max(100)).min(1).optional(),
    authorisedStates: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'state ids are lowercase letters, digits and "_"')).min(1).default(DEPLOYMENTS_DEFAULTS.authorisedStates),
    completeChanges: z.enum(['pipeline', 'always', 'never']).default(DEPLOYMENTS_DEFAULTS.completeChanges),
    unauthorized: z
      .strictObject({
        enabled: z.boolean().default(true),
        quietPeriod: Duration.default('24h'),
      })
      .default(DEPLOYMENTS_DEFAULTS.unauthorized),
    dora: z
      .strictObject({
        minimumDeployments: z.number().int().min(1).max(10000).default(5),
        minimumPullRequests: z.number().int().min(1).max(10000).default(5),
        minimumFailures: z.number().int().min(1).max(10000).default(1),
        inferIncidents: z.boolean().default(true),
        recordsShown: z.number().int().min(1).max(500).default(50),
      })
      .default(DEPLOYMENTS_DEFAULTS.dora),
  })
  .default(DEPLOYMENTS_DEFAULTS);
export type DeploymentsSectionOutput = z.output<typeof DeploymentsSection>;
