import { z } from 'zod';

/** A bundle file name: a plain `*.yaml` / `*.yml` name, or a test case file `tests/NAME.yaml`. */
const BUNDLE_FILE_NAME = /^(tests\/)?[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/;

export const ApplyPolicyInput = z.object({
  files: z.record(z.string().max(200), z.string().max(512 * 1024)).superRefine((files, ctx) => {
    const names = Object.keys(files);
    if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'send at least one .yaml file' });
    if (names.length > 100) ctx.addIssue({ code: 'custom', message: 'a bundle has at most 100 files' });
    for (const name of names) {
      if (!BUNDLE_FILE_NAME.test(name))
        ctx.addIssue({ code: 'custom', message: `"${name}": file names end in .yaml or .yml and hold no folders but tests/` });
    }
  }),
});
export type ApplyPolicyInput = z.input<typeof ApplyPolicyInput>;

export const PolicyVersion = z.object({
  number: z.number().int(),
  name: z.string(),
  hash: z.string(),
  appliedAt: z.string(),
  /** A user id, or `system:startup` / `system:cli` for versions applied by Cabinet itself. */
  appliedBy: z.string(),
  appliedByName: z.string(),
  active: z.boolean(),
});
export type PolicyVersion = z.infer<typeof PolicyVersion>;

export const PolicyVersionDetail = PolicyVersion.extend({
  /** File name → YAML text, exactly as applied. */
  files: z.record(z.string(), z.string()),
});
export type PolicyVersionDetail = z.infer<typeof PolicyVersionDetail>;

/** The answer to applying a bundle: the new version, or the active one when the content is the same. */
export const AppliedPolicy = PolicyVersion.extend({ applied: z.boolean() });
export type AppliedPolicy = z.infer<typeof AppliedPolicy>;

export const PolicyVersionParams = z.object({ number: z.coerce.number().int().min(1).max(2_147_483_647) });
