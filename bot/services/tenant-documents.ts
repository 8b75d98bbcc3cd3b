import type { MappingTable, UserSelection } from '../../shared/api/contract';
import { storedMappingTable, userSelectionRequest } from '../../shared/api/schemas';
import type { Logger } from '../../shared/platform/logger';
import type { Store } from '../../shared/ports/store';

const REFRESH_MS = 10_000;

/**
 * The admin's mapping table and user selection as the sync engine reads them: synchronously, on every decision.
 * They live in the store (the admin API writes them there), so this keeps a copy refreshed every few seconds; an
 * edit on any process reaches every process within that time.
 *
 * A stored document is read through the same schema the admin API saves it with. One that no longer passes (saved
 * before a rule was added) is not used: the engine keeps what it had, and the log says why, once per change.
 */
export class TenantDocuments {
  mapping: MappingTable;
  selection: UserSelection;
  private readonly refused = new Map<string, string>();

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
    const mapping = this.read('mapping', storedMappingTable, settings.mapping);
    if (mapping) this.mapping = mapping;
    const selection = this.read('selection', userSelectionRequest, settings.selection);
    if (selection) this.selection = selection;
  }

  private read<T>(
    name: string,
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Error } },
    stored: unknown,
  ): T | undefined {
    if (stored === undefined) return undefined;
    const parsed = schema.safeParse(stored);
    if (parsed.success) {
      this.refused.delete(name);
      return parsed.data;
    }
    const why = parsed.error.message;
    if (this.refused.get(name) !== why) {
      this.refused.set(name, why);
      this.logger.warn(
        { tenantId: this.tenantId, document: name, problems: why, event: 'settings.documentRefused' },
        `the stored ${name} breaks a rule and is not used; save it again on the admin page`,
      );
    }
    return undefined;
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
