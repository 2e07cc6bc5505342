import { z } from 'zod';

/** A duration: minutes, hours or days (`30m`, `4h`, `1d`). */
const Duration = z.string().regex(/^[1-9][0-9]*[mhd]$/, 'a duration is a whole number followed by m, h or d (30m, 4h, 1d)');

export const DEPLOYMENT_GATE_DEFAULTS = {
  controlledEnvironments: ['production', 'prod'],
  pendingDeadline: '4h',
  openNormalChange: true,
  changeDuration: '2h',
};

/**
 * The deployment gate (gate.yaml, docs/pipelines.md): which environments need an authorised change
 * (`controlledEnvironments`, compared without case; a deployment anywhere else is allowed and recorded), how
 * long a pipeline may wait on a pending decision before the gate denies it (`pendingDeadline`, so no run waits
 * for ever), whether a check with no change opens a normal change filled from the pipeline (`openNormalChange`),
 * and how long the window of such a change is, from the moment it is opened (`changeDuration`).
 */
export const DeploymentGateSection = z
  .strictObject({
    controlledEnvironments: z.array(z.string().trim().min(1).max(64)).min(1).default(DEPLOYMENT_GATE_DEFAULTS.controlledEnvironments),
    pendingDeadline: Duration.default(DEPLOYMENT_GATE_DEFAULTS.pendingDeadline),
    openNormalChange: z.boolean().default(DEPLOYMENT_GATE_DEFAULTS.openNormalChange),
    changeDuration: Duration.default(DEPLOYMENT_GATE_DEFAULTS.changeDuration),
  })
  .default(DEPLOYMENT_GATE_DEFAULTS);
export type DeploymentGateSectionOutput = z.output<typeof DeploymentGateSection>;
