#include "migrate/next_migration.h"

#include <cctype>

namespace dbarch::migrate {
namespace {

// The version as its file name writes it ("0004", "1_2").
std::string VersionInName(const MigrationScript& s) {
  const std::string& name = s.name;
  if (name.size() > 7 && name.compare(name.size() - 7, 7, ".up.sql") == 0) {
    return name.substr(0, name.find('_'));
  }
  size_t sep = name.find("__");
  return name.substr(1, sep - 1);
}

// Decimal digits plus one, keeping the width when it fits ("0009" -> "0010", "99" -> "100").
std::string Increment(std::string digits) {
  int i = static_cast<int>(digits.size()) - 1;
  while (i >= 0 && digits[i] == '9') digits[i--] = '0';
  if (i < 0) return "1" + digits;
  ++digits[i];
  return digits;
}

// The description as file names keep it (letters, digits, '_'), or "" when it has no letter
// or digit.
std::string CleanDescription(const std::string& description) {
  std::string desc;
  bool meaningful = false;
  for (char c : description) {
    bool word = std::isalnum(static_cast<unsigned char>(c)) != 0;
    meaningful = meaningful || word;
    char out = word || c == '_' ? c : '_';
    if (out == '_' && !desc.empty() && desc.back() == '_') continue;
    desc += out;
  }
  while (!desc.empty() && desc.back() == '_') desc.pop_back();
  while (!desc.empty() && desc.front() == '_') desc.erase(desc.begin());
  return meaningful ? desc : "";
}

// The version after `version` ("0009" -> "0010", "1.2" -> "1.3").
std::string NextVersion(const std::string& v) {
  size_t last = v.find_last_of("._");
  return last == std::string::npos ? Increment(v)
                                   : v.substr(0, last + 1) + Increment(v.substr(last + 1));
}

void Name(NextMigration& next, const std::string& desc) {
  if (next.pair_style) {
    next.up_name = next.version + "_" + desc + ".up.sql";
    next.down_name = next.version + "_" + desc + ".down.sql";
  } else {
    next.up_name = "V" + next.version + "__" + desc + ".sql";
    next.down_name = "U" + next.version + "__" + desc + ".sql";
  }
}

}  // namespace

Result<NextMigration> NextMigrationNames(const MigrationDir& dir, const std::string& description) {
  std::string desc = CleanDescription(description);
  if (desc.empty()) {
    return Status::InvalidArgument("migration name \"" + description +
                                   "\" needs at least one letter or digit");
  }
  NextMigration next;
  if (dir.versioned.empty()) {
    next.version = "1";
  } else {
    const MigrationScript& latest = dir.versioned.back().up;
    next.pair_style =
        latest.name.size() > 7 && latest.name.compare(latest.name.size() - 7, 7, ".up.sql") == 0;
    next.version = NextVersion(VersionInName(latest));
  }
  Name(next, desc);
  return next;
}

Result<std::vector<NextMigration>> NextMigrationSeries(
    const MigrationDir& dir, const std::vector<std::string>& descriptions) {
  if (descriptions.empty()) return Status::InvalidArgument("no migration to name");
  std::vector<NextMigration> out;
  DBARCH_ASSIGN_OR_RETURN(NextMigration first, NextMigrationNames(dir, descriptions.front()));
  out.push_back(std::move(first));
  for (size_t i = 1; i < descriptions.size(); ++i) {
    std::string desc = CleanDescription(descriptions[i]);
    if (desc.empty()) {
      return Status::InvalidArgument("migration name \"" + descriptions[i] +
                                     "\" needs at least one letter or digit");
    }
    NextMigration next;
    next.pair_style = out.back().pair_style;
    next.version = NextVersion(out.back().version);
    Name(next, desc);
    out.push_back(std::move(next));
  }
  return out;
}

}  // namespace dbarch::migrate
