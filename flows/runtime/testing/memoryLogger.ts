import type { Logger } from "@/flows/runtime/ports";

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

/** Keeps log lines in memory so tests can assert on them (and keep test output quiet). */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];
  debug(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "debug", fields, message });
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "info", fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "warn", fields, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "error", fields, message });
  }
}
