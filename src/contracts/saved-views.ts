import { z } from 'zod';

/** The lists a view can be saved for, each read with its own permission. */
export const SAVED_VIEW_LISTS = ['changes', 'incidents', 'cis', 'templates'] as const;
export type SavedViewList = (typeof SAVED_VIEW_LISTS)[number];

/** The query a view keeps: the list's filters and sort, as in its URL, without a cursor. */
const ViewQuery = z
  .string()
  .max(2000, 'at most 2000 characters')
  .transform((q) => q.replace(/^\?/, ''))
  .superRefine((q, ctx) => {
    const keys = [...new URLSearchParams(q).keys()];
    for (const key of ['cursor', 'view']) {
      if (keys.includes(key)) ctx.addIssue({ code: 'custom', message: `must not hold ${key}: a view keeps filters and sort, not a page or another view` });
    }
  });
const ViewName = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');

export const SavedView = z
  .object({
    id: z.string(),
    name: z.string(),
    list: z.enum(SAVED_VIEW_LISTS),
    /** The list's query string (filters and sort), without a leading "?". */
    query: z.string(),
    /** Whether anyone who may read the list opens the view by its link. */
    shared: z.boolean(),
    ownerId: z.string(),
    ownerName: z.string(),
    /** Whether the caller owns the view (and so may change or delete it). */
    mine: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SavedView' });
export type SavedView = z.infer<typeof SavedView>;

export const CreateSavedViewInput = z
  .strictObject({
    name: ViewName,
    list: z.enum(SAVED_VIEW_LISTS, { error: `must be one of ${SAVED_VIEW_LISTS.join(', ')}` }),
    query: ViewQuery.default(''),
    shared: z.boolean().default(false),
  })
  .meta({ id: 'CreateSavedView' });
export type CreateSavedViewInput = z.input<typeof CreateSavedViewInput>;

export const UpdateSavedViewInput = z
  .strictObject({
    name: ViewName.optional(),
    query: ViewQuery.optional(),
    shared: z.boolean().optional(),
  })
  .meta({ id: 'UpdateSavedView' });
export type UpdateSavedViewInput = z.input<typeof UpdateSavedViewInput>;

export const SavedViewListQuery = z.strictObject({
  list: z.enum(SAVED_VIEW_LISTS, { error: `must be one of ${SAVED_VIEW_LISTS.join(', ')}` }).optional().describe('Only the views of this list'),
});
