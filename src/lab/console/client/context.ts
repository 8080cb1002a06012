import type { ConsoleConfig } from '../consoleConfig';
import type { ManagementClient } from './managementClient';
import type { ConsoleState } from './state';

export interface SelectOptions {
  /** Keep the response shown (after a fix, to compare). */
  keepResponse?: boolean;
  /** Say that the definition was read again. */
  reloaded?: boolean;
}

/** What every part of the page works with. */
export interface ConsoleContext {
  readonly config: ConsoleConfig;
  readonly client: ManagementClient;
  readonly state: ConsoleState;
  /** Fills in the request of an operation of the current API. */
  selectOperation(operationId: string, options?: SelectOptions): Promise<void>;
  /** Reads the APIs again (a reset may bring one back), keeping the current one picked. */
  reloadApis(): Promise<void>;
}
