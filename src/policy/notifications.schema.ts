import { z } from 'zod';
import { NOTICE_EVENTS } from '../contracts/communication';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'names are lowercase letters, digits and "_"');
/** A duration before a planned start: minutes, hours or days (`30m`, `24h`, `2d`), wall-clock. */
const Duration = z.string().regex(/^[1-9][0-9]*[mhd]$/, 'a duration is a whole number followed by m, h or d (30m, 24h, 2d)');

/** The channels a notice rule may send through: a person's inbox and email, and the admins' webhooks. */
export const NOTICE_CHANNELS = ['in_app', 'email', 'webhook'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

/** Who hears of a notice unless the policy says otherwise: those who follow what it touches, and its owners. */
export const DEFAULT_AUDIENCE = 'reader.subscribed || reader.owner';

const RuleSchema = z.strictObject({
  name: Name,
  /** The events the rule speaks of; left out: every event. */
  events: z.array(z.enum(NOTICE_EVENTS, { error: `must be one of ${NOTICE_EVENTS.join(', ')}` })).min(1).optional(),
  /**
   * CEL over `notice`, `change`, `cis`, `services`, `freeze` and `reader`, evaluated for each person who could
   * hear of the notice (docs/communication.md, "Who hears of what"): true includes them.
   */
  audience: z.string().min(1).default(DEFAULT_AUDIENCE),
  /**
   * The channels the rule allows. A subscriber still gets only the channels their subscription chose; a
   * person the rule admits without a subscription gets these (email only when it is listed here).
   */
  channels: z.array(z.enum(NOTICE_CHANNELS)).min(1).default(['in_app', 'email', 'webhook']),
  /** Urgent notices go out at once, through everyone's quiet hours. */
  urgent: z.boolean().default(false),
});

/** The words of one event's notice: a plain title, and a body in Markdown; `{{…}}` names the notice's values. */
const TemplateSchema = z.strictObject({
  title: z.string().min(1).max(500),
  body: z.string().max(10_000).default(''),
});

/**
 * notifications.yaml: which events reach whom through which channel, when the `upcoming` notices go out, and
 * the words of each event (templates override the defaults event by event).
 */
export const NotificationsSection = z
  .strictObject({
    /** How long before a planned start its audience hears that it is coming. */
    upcoming: z.array(Duration).max(5).default(['24h', '1h']),
    /** A person hears of a notice when any rule for its event admits them; no rules: nobody but webhooks of none. */
    rules: z.array(RuleSchema).default([{ name: 'stakeholders', audience: DEFAULT_AUDIENCE, channels: ['in_app', 'email', 'webhook'], urgent: false }]),
    templates: z.partialRecord(z.enum(NOTICE_EVENTS, { error: `must be one of ${NOTICE_EVENTS.join(', ')}` }), TemplateSchema).default({}),
  })
  .default({ upcoming: ['24h', '1h'], rules: [{ name: 'stakeholders', audience: DEFAULT_AUDIENCE, channels: ['in_app', 'email', 'webhook'], urgent: false }], templates: {} });
export type NotificationsSectionOutput = z.output<typeof NotificationsSection>;
