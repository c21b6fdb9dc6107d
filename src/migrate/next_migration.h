// The file names of the next migration of a folder, following the convention the folder
// already uses: Flyway's V<version>__<desc>.sql with its undo U<version>__<desc>.sql, or
// <version>_<desc>.up.sql / .down.sql pairs. Used by `dbarch migrate new` (through
// diff/new_migration.h). Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "migrate/migration_files.h"

namespace dbarch::migrate {

struct NextMigration {
  std::string version;  // as written in the names ("0004", "1.3", "20240131120001")
  std::string up_name;  // file names, without the folder
  std::string down_name;
  bool pair_style = false;  // .up.sql / .down.sql rather than V / U
};

// The names for a migration described by `description` after the newest versioned one of
// `dir`: its version's last part plus one, keeping its zero padding and separators ("0009"
// -> "0010", "1.2" -> "1.3", "1_2" -> "1_3"); "1" in an empty folder. The style is the pair
// style when the newest migration uses it, Flyway's otherwise (and in an empty folder).
// The description keeps letters, digits and '_' (spaces and other characters become '_').
// Errors: kInvalidArgument when the description has no letter or digit.
Result<NextMigration> NextMigrationNames(const MigrationDir& dir, const std::string& description);

// The names of several consecutive migrations after the newest one of `dir`, one per
// description, in order: the first as NextMigrationNames gives it, each next one with the
// version after the previous one ("0009", "0010", "0011"), all in one style. Errors: those of
// NextMigrationNames; kInvalidArgument when `descriptions` is empty.
Result<std::vector<NextMigration>> NextMigrationSeries(
    const MigrationDir& dir, const std::vector<std::string>& descriptions);

}  // namespace dbarch::migrate
