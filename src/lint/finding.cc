#include "lint/finding.h"

namespace dbarch::lint {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "warning";
}

bool ParseSeverity(std::string_view text, Severity* out) {
  if (text == "info") *out = Severity::kInfo;
  else if (text == "warning") *out = Severity::kWarning;
  else if (text == "error") *out = Severity::kError;
  else return false;
  return true;
}

const char* FamilyName(Family f) {
  switch (f) {
    case Family::kDesign: return "design";
    case Family::kQuery: return "query";
    case Family::kMigration: return "migration";
    case Family::kSecurity: return "security";
  }
  return "design";
}

bool ParseFamily(std::string_view text, Family* out) {
  if (text == "design") *out = Family::kDesign;
  else if (text == "query") *out = Family::kQuery;
  else if (text == "migration") *out = Family::kMigration;
  else if (text == "security") *out = Family::kSecurity;
  else return false;
  return true;
}

}  // namespace dbarch::lint
