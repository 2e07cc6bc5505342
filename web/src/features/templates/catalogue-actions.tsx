import { Button } from '@mantine/core';
import { useState } from 'react';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { ErrorAlert } from '../../shared/error-alert';
import { fieldErrorsFrom } from '../changes/field-errors';
import { type Template, type TemplateStep, useTemplateStep } from './templates-api';

/** What a step is called, what it does in words, and what its dialog asks. */
const STEPS: Record<
  TemplateStep,
  {
    title: (t: Template) => string;
    button: (t: Template) => string;
    confirm: string;
    color: string;
    words: (t: Template) => string;
    reason: { label: string; description: string; required: boolean };
  }
> = {
  activate: {
    title: (t) => `Activate ${t.pendingVersion ? `version ${t.pendingVersion.number} of ` : ''}“${t.name}”?`,
    button: (t) =>
      t.pendingVersion && t.state !== 'draft' && t.state !== 'proposed' ? `Activate version ${t.pendingVersion.number}` : 'Activate',
    confirm: 'Activate',
    color: 'green',
    words: (t) =>
      t.pendingVersion && t.state !== 'draft' && t.state !== 'proposed'
        ? `Version ${t.pendingVersion.number} replaces version ${t.contentVersion}: changes filed from now on pin it and are checked against its rules. Changes already filed keep version ${t.contentVersion}.`
        : 'The entry joins the catalogue: people can file changes from it, and those that pass its checks are pre-approved.',
    reason: { label: 'Note', description: 'Optional. Kept with the version.', required: false },
  },
  suspend: {
    title: (t) => `Suspend “${t.name}”?`,
    button: () => 'Suspend',
    confirm: 'Suspend the entry',
    color: 'red',
    words: () =>
      'Changes filed from it become normal changes and need approvals until a change manager reinstates it. The owner team and the change managers are told.',
    reason: { label: 'Why?', description: 'Required. Kept in the suspension log.', required: true },
  },
  reinstate: {
    title: (t) => `Reinstate “${t.name}”?`,
    button: () => 'Reinstate',
    confirm: 'Reinstate the entry',
    color: 'green',
    words: () =>
      'Changes filed from it are pre-approved again while their checks pass. Say what was done about what suspended it: the reason is kept in the suspension log.',
    reason: { label: 'Why is it safe again?', description: 'Required. Kept in the suspension log.', required: true },
  },
};

/** The steps a change manager may take on an entry in its state. */
export function stepsFor(t: Pick<Template, 'state' | 'pendingVersion'>): TemplateStep[] {
  switch (t.state) {
    case 'draft':
    case 'proposed':
      return ['activate'];
    case 'active':
      return t.pendingVersion ? ['activate', 'suspend'] : ['suspend'];
    case 'suspended':
      return t.pendingVersion ? ['reinstate', 'activate'] : ['reinstate'];
    default:
      return [];
  }
}

interface CatalogueActionsProps {
  template: Template;
  disabled?: boolean;
  /** Said once a step is done ("Suspended."). */
  onDone: (words: string) => void;
}

/** A change manager's buttons on an entry (activate, suspend, reinstate), each asking first in a dialog. */
export function CatalogueActions({ template, disabled, onDone }: CatalogueActionsProps) {
  const step = useTemplateStep(template.id);
  const [asking, setAsking] = useState<TemplateStep | null>(null);
  const steps = stepsFor(template);
  const current = asking ? STEPS[asking] : null;
  const errors = fieldErrorsFrom(step.error);

  const confirm = (text: string) => {
    if (!asking) return;
    const done = asking;
    step.mutate(
      { step: done, text },
      {
        onSuccess: () => {
          setAsking(null);
          onDone(
            done === 'activate'
              ? 'Activated: changes filed from now on use it.'
              : done === 'suspend'
                ? 'Suspended: changes filed from it become normal changes.'
                : 'Reinstated: changes filed from it are pre-approved again while their checks pass.',
          );
        },
      },
    );
  };

  return (
    <>
      {steps.map((s) => (
        <Button
          key={s}
          variant={s === 'suspend' ? 'light' : 'filled'}
          color={STEPS[s].color}
          disabled={disabled}
          onClick={() => {
            step.reset();
            setAsking(s);
          }}
        >
          {STEPS[s].button(template)}
        </Button>
      ))}
      <ConfirmDialog
        opened={current !== null}
        title={current ? current.title(template) : ''}
        confirmLabel={current?.confirm ?? ''}
        closeLabel="Go back"
        color={current?.color}
        reason={current?.reason}
        loading={step.isPending}
        reasonError={errors.reason}
        error={step.isError && !errors.reason ? <ErrorAlert error={step.error} title="Not done" /> : undefined}
        onConfirm={confirm}
        onClose={() => setAsking(null)}
      >
        {current?.words(template)}
      </ConfirmDialog>
    </>
  );
}
