import { VALIDATION_MESSAGES, type ValidationCode } from "@/flows/validation/messages";

/** One finding, in the shape of API.md's validate endpoint plus a stable `code` and a Hungarian message. */
export interface ValidationIssue {
  node_id?: string;
  path: string;
  message: string;
  messageHu: string;
  code: ValidationCode;
}

export interface ValidationResult {
  valid: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export class IssueCollector {
  readonly errors: ValidationIssue[] = [];
  readonly warnings: ValidationIssue[] = [];

  error(code: ValidationCode, where: { path: string; node_id?: string }, params: Record<string, string> = {}): void {
    this.errors.push(this.issue(code, where, params));
  }

  warning(code: ValidationCode, where: { path: string; node_id?: string }, params: Record<string, string> = {}): void {
    this.warnings.push(this.issue(code, where, params));
  }

  result(): ValidationResult {
    return { valid: this.errors.length === 0, errors: this.errors, warnings: this.warnings };
  }

  private issue(code: ValidationCode, where: { path: string; node_id?: string }, params: Record<string, string>): ValidationIssue {
    const wording = VALIDATION_MESSAGES[code];
    const issue: ValidationIssue = { path: where.path, message: wording.en(params), messageHu: wording.hu(params), code };
    if (where.node_id !== undefined) issue.node_id = where.node_id;
    return issue;
  }
}
