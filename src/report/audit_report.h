// Rendering of `dbarch audit` results in the shapes lint uses: text (one line per finding
// with its fix), JSON ({"findings": [{rule, severity, message, object, fix, cis}], "skipped",
// "summary"}), SARIF 2.1.0 (results without source locations: the objects are the server's)
// and Markdown (a review document). Pure functions; thread-safe.
#pragma once

#include <string>

#include "security/audit.h"

namespace dbarch::report {

std::string AuditToText(const security::AuditReport& report);
std::string AuditToJson(const security::AuditReport& report);
std::string AuditToSarif(const security::AuditReport& report, const std::string& tool_version);
std::string AuditToMarkdown(const security::AuditReport& report);
// Every rule with its area, default severity, why it matters and CIS recommendation.
std::string AuditRulesToText();

}  // namespace dbarch::report
