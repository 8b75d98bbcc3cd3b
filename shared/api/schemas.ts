import { z } from 'zod';
import { MAX_PBX_STATUS_TEXT, PBX_STATES, validateMapping, withEveryPhoneState } from '../domain/mapping';
import { REPORT_STATUSES, type MappingTable, type UserSelection } from './contract';

/**
 * The admin API's request bodies and queries, one schema each, read by the server at the edge and by the tab before
 * it sends. The domain's rules refine the shapes, so a mapping table the sync engine would misread never gets saved.
 */

export const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');
const isoDate = z.string().datetime({ offset: true });

/** PUT /api/admin/tenant: secrets are write-only and optional (absent keeps the stored one). */
export const tenantUpdateRequest = z
  .object({
    clientId: guid.optional(),
    clientSecret: z.string().min(1).max(1024).optional(),
    clientSecretExpiresAt: isoDate.optional(),
    cloudlink: z
      .object({
        accountId: z.string().min(1).max(200),
        clientId: z.string().min(1).max(200),
        clientSecret: z.string().min(1).max(1024).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TenantUpdateRequest = z.infer<typeof tenantUpdateRequest>;

/** GET /api/admin/problems?limit=: at most 200 of the newest. */
export const problemsQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();

/** POST /api/admin/resync-all: an empty body is the usual resync; readEveryPbx also re-reads every phone. */
export const resyncAllRequest = z.object({ readEveryPbx: z.boolean().optional() }).strict();

/** POST /api/admin/monitors */
export const addMonitorRequest = z
  .object({
    username: z.string().email().max(320),
    password: z.string().min(1).max(1024),
    passwordExpiresAt: isoDate.optional(),
  })
  .strict();

/** PUT /api/admin/monitors/:id/password: the password's limits are those of an added monitor. */
export const monitorPasswordRequest = addMonitorRequest.pick({ password: true, passwordExpiresAt: true });

const presenceName = z.string().min(1).max(50);

/**
 * PUT /api/admin/mapping: the shape, then the domain's own rules (allowed pairs, known values, text length, a row for
 * every phone state).
 */
const mappingTableShape = z
  .object({
    teamsToPbx: z
      .array(
        z
          .object({
            availability: presenceName,
            activity: presenceName,
            dnd: z.enum(['on', 'off', 'unchanged']),
            statusText: z.string().max(MAX_PBX_STATUS_TEXT).nullable(),
          })
          .strict(),
      )
      .max(200),
    pbxToTeams: z
      .array(
        z
          .object({
            pbxState: z.enum(PBX_STATES),
            teams: z.object({ availability: presenceName, activity: presenceName }).strict().nullable(),
          })
          .strict(),
      )
      .max(10),
  })
  .strict();

const mappingRules = (table: MappingTable, ctx: z.RefinementCtx) => {
  for (const message of validateMapping(table)) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
};

export const mappingTableRequest: z.ZodType<MappingTable> = mappingTableShape.superRefine(mappingRules);

/**
 * A mapping table as stored: one saved before every phone state needed a row gets its missing states as "not shown"
 * (what they meant then, withEveryPhoneState), then the same rules. Only PUT refuses a table without them.
 */
export const storedMappingTable: z.ZodType<MappingTable, z.ZodTypeDef, unknown> = mappingTableShape
  .transform(withEveryPhoneState)
  .superRefine(mappingRules);

/** PUT /api/admin/selection */
export const userSelectionRequest: z.ZodType<UserSelection> = z
  .object({
    mode: z.enum(['allWithBlockList', 'groupWithAllowList']),
    blockList: z.array(z.string().min(1).max(320)).max(50_000),
    groupId: guid.nullable(),
    groupName: z.string().max(256).nullable().optional(),
    allowList: z.array(z.string().min(1).max(320)).max(50_000),
    sendToTeams: z.boolean(),
    getFromTeams: z.boolean(),
  })
  .strict()
  .refine((s) => s.mode !== 'groupWithAllowList' || s.groupId !== null, 'groupWithAllowList needs a groupId');

/** GET /api/admin/groups?q= */
export const groupSearchQuery = z.object({ q: z.string().trim().min(1).max(120) }).strict();

/** PATCH /api/admin/reports/:id */
export const reportUpdateRequest = z
  .object({ status: z.enum(REPORT_STATUSES), note: z.string().max(2000).optional() })
  .strict();

/** The most users one page of GET /api/admin/users holds. */
export const MAX_USERS_PAGE = 200;

/** GET /api/admin/users: search and one page, on the server. */
export const usersQuery = z.object({
  q: z.string().max(200).optional(),
  skip: z.coerce.number().int().min(0).max(10_000_000).optional(),
  top: z.coerce.number().int().min(1).max(MAX_USERS_PAGE).optional(),
});

/** PUT /api/admin/users/overrides: the admin pairs a PBX user with a Teams user by hand. */
export const userOverrideRequest = z
  .object({ pbxPrincipalId: z.string().min(1).max(200), entraUserId: z.string().min(1).max(200) })
  .strict();
