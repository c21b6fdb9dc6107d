// Rendering of lint results and rule documentation: compiler-style text with source
// excerpts, JSON, SARIF 2.1.0 (GitHub code scanning), the rule list (`--list-rules`) and the
// rule reference page (docs/rules.md). Pure functions of their inputs; thread-safe.
#pragma once

#include <string>

#include "lint/linter.h"

namespace dbarch::report {

// file:line:col: severity[rule-id] message, then the source line with a caret, then the
// fix; input errors first-class as `file:line:col: error: message`; a summary line last.
std::string LintToText(const lint::LintReport& report);

// {"findings": [{rule, severity, message, file, line, column, end_line, end_column, fix}],
//  "errors": [{message, file, line, column}], "summary": {...}}; deterministic.
std::string LintToJson(const lint::LintReport& report);

// SARIF 2.1.0: one run, the rules that ran as reportingDescriptors, one result per finding
// (columns in Unicode code points), input errors as tool execution notifications.
std::string LintToSarif(const lint::LintReport& report, const std::string& tool_version);

// Every rule with its family, default severity and documentation, as plain text.
std::string RulesToText();
// Every rule's documentation as a JSON array.
std::string RulesToJson();
// docs/rules.md: the rule reference, generated from the rules' own documentation.
std::string RulesToMarkdown();

}  // namespace dbarch::report
