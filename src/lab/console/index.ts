/** The lab's test console: the page at /lab and the diagnosis at /lab/state. */
export { createLabConsole, pagePolicy, CONSOLE_API_VERSION, type ConsoleRequest, type ConsoleResponse, type ConsoleStore, type LabConsole, type LabConsoleOptions } from './labConsole';
export { renderConsolePage, escapeHtml, type ConsolePageOptions } from './page';
