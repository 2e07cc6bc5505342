import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB, WebhooksTable } from '../schema';

/** A webhook as stored: its secret sealed (services/webhook.service.ts opens it to sign). */
export interface WebhookRecord {
  id: string;
  url: string;
  format: string;
  events: string[];
  enabled: boolean;
  secretSealed: string;
  secretHint: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Outbound webhooks and the allow-list of private targets they may reach. */
export function createWebhookRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: WebhooksTable): WebhookRecord => ({
    id: r.id,
    url: r.url,
    format: r.format,
    events: h.readJson<string[]>(r.events),
    enabled: h.readBool(r.enabled),
    secretSealed: r.secret_sealed,
    secretHint: r.secret_hint,
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });

  return {
    async insert(w: WebhookRecord): Promise<void> {
      await db
        .insertInto('webhooks')
        .values({
          id: w.id,
          url: w.url,
          format: w.format,
          events: h.writeJson(w.events),
          enabled: h.writeBool(w.enabled),
          secret_sealed: w.secretSealed,
          secret_hint: w.secretHint,
          created_by: w.createdBy,
          created_at: w.createdAt,
          updated_at: w.updatedAt,
        })
        .execute();
    },
    async update(
      id: string,
      w: Pick<WebhookRecord, 'url' | 'format' | 'events' | 'enabled' | 'secretSealed' | 'secretHint' | 'updatedAt'>,
    ): Promise<void> {
      await db
        .updateTable('webhooks')
        .set({
          url: w.url,
          format: w.format,
          events: h.writeJson(w.events),
          enabled: h.writeBool(w.enabled),
          secret_sealed: w.secretSealed,
          secret_hint: w.secretHint,
          updated_at: w.updatedAt,
        })
        .where('id', '=', id)
        .execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('webhooks').where('id', '=', id).execute();
    },
    async find(id: string): Promise<WebhookRecord | null> {
      const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** Every webhook, oldest first (an organisation has a handful). */
    async list(): Promise<WebhookRecord[]> {
      return (await db.selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute()).map(toRecord);
    },
    /**
     * The enabled webhooks that want the event. NOTE: filtered here rather than in SQL, since the events are a
     * JSON array whose operators differ between the engines, and there are a handful of webhooks.
     */
    async enabledFor(event: string): Promise<WebhookRecord[]> {
      const rows = await db
        .selectFrom('webhooks')
        .selectAll()
        .where('enabled', '=', h.writeBool(true))
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRecord).filter((w) => w.events.includes(event));
    },
    async allowList(): Promise<string[]> {
      return (await db.selectFrom('webhook_allow_list').select('entry').orderBy('entry').execute()).map((r) => r.entry);
    },
    /** Replaces the allow-list. */
    async replaceAllowList(entries: readonly string[], by: string, at: string): Promise<void> {
      await db.deleteFrom('webhook_allow_list').execute();
      if (entries.length > 0)
        await db
          .insertInto('webhook_allow_list')
          .values(entries.map((entry) => ({ entry, created_by: by, created_at: at })))
          .execute();
    },
  };
}
export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
