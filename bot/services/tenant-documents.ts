import { z } from 'zod';
import type { MappingTable, UserSelection } from '../../shared/api/contract';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';

const REFRESH_MS = 10_000;

/**
 * The admin's mapping table and user selection as the sync engine reads them: synchronously, on every decision.
 * They live in the store (the admin API writes them there), so this keeps a copy refreshed every few seconds; an
 * edit on any process reaches every process within that time.
 */
export class TenantDocuments {
  mapping: MappingTable;
  selection: UserSelection;

  constructor(
    private readonly store: Store,
    private readonly tenantId: string,
    defaults: { mapping: MappingTable; selection: UserSelection },
    private readonly logger: Logger,
  ) {
    this.mapping = defaults.mapping;
    this.selection = defaults.selection;
  }

  async refresh(): Promise<void> {
    const settings = (await this.store.getTenant(this.tenantId))?.settings ?? {};
    if (
      isObject(settings.mapping) &&
      Array.isArray(settings.mapping.teamsToPbx) &&
      Array.isArray(settings.mapping.pbxToTeams)
    ) {
      this.mapping = settings.mapping as unknown as MappingTable;
    }
    const selection = selectionShape.safeParse(settings.selection);
    if (selection.success) this.selection = selection.data;
  }

  watch(): () => void {
    const timer = setInterval(
      () =>
        void this.refresh().catch((e: unknown) =>
          this.logger.warn({ err: e }, 'reading tenant documents failed'),
        ),
      REFRESH_MS,
    );
    timer.unref();
    return () => clearInterval(timer);
  }
}

const selectionShape: z.ZodType<UserSelection> = z.object({
  mode: z.enum(['allWithBlockList', 'groupWithAllowList']),
  blockList: z.array(z.string()),
  groupId: z.string().nullable(),
  allowList: z.array(z.string()),
  sendToTeams: z.boolean(),
  getFromTeams: z.boolean(),
});

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
