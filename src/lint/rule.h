// Rule: the interface every lint rule implements (one small class per file in rules/,
// registered by the generated registry — see rules/README.md). A rule looks at one
// statement (with the catalog as it was just before that statement), at one whole file, or
// at the final catalog, and reports Findings through an Emitter. Rules are stateless and
// const: the linter may run them on several files at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/source_span.h"
#include "catalog/model.h"
#include "lint/config.h"
#include "lint/finding.h"
#include "sql/parser.h"

namespace dbarch::lint {

// The documentation of a rule; docs/rules.md and `dbarch lint --list-rules` are generated
// from it.
struct RuleDoc {
  const char* id;           // kebab-case, stable (deprecate, never rename)
  Family family;
  Severity severity;        // default severity
  const char* summary;      // one line: what it detects
  const char* rationale;    // why it matters: the PostgreSQL behaviour behind it
  const char* fix;          // how to fix it
  const char* bad_example;  // SQL that triggers it
  const char* good_example; // the fixed SQL
};

// Collects findings of one rule; fills in rule id and severity and turns byte offsets into
// line:column.
class Emitter {
 public:
  virtual ~Emitter() = default;
  // Reports at byte offset `offset` of the current file (-1: the start of the current
  // statement, or of the object's definition for catalog rules).
  virtual void Report(int offset, std::string message, std::optional<std::string> fix) = 0;
  // Reports at an explicit span (catalog rules: an object's Origin span).
  virtual void ReportAt(const SourceSpan& span, std::string message,
                        std::optional<std::string> fix) = 0;
  // Reports where an object is defined (catalog rules): at its own clause when it has one
  // (a column definition, a constraint clause), else at its statement (a table, an index); a
  // `-- dbarch:ignore` comment on that statement covers the finding.
  virtual void ReportAtOrigin(const catalog::Origin& origin, std::string message,
                              std::optional<std::string> fix) = 0;
};

// What a statement rule sees.
struct StatementContext {
  const SourceFile* file = nullptr;
  const sql::Statement* stmt = nullptr;
  // The schema just before this statement: the --schema/--dsn baseline plus every DDL
  // statement applied so far (earlier files, earlier statements of this file).
  const catalog::Catalog* catalog = nullptr;
  // True when a schema is known (from --schema/--dsn or earlier DDL): catalog-aware rules
  // (unknown tables/columns) stay silent without one.
  bool has_schema = false;
  // Relations (tables, sequences, views) created earlier in this same file: migration rules
  // about locking, rewriting and retrying skip statements on them, they are new, empty and
  // have no readers to block (see docs/lint.md, schema files and migrations).
  const std::set<catalog::QualifiedName>* created_in_file = nullptr;
  bool in_transaction = false;  // inside an explicit BEGIN ... COMMIT of this file
  const Config* config = nullptr;

  // Text of the statement.
  std::string_view Text() const {
    return std::string_view(file->text()).substr(stmt->begin, stmt->end - stmt->begin);
  }
  // Is `table` an existing table (not created in this file)?
  bool IsExistingTable(const catalog::QualifiedName& table) const {
    return catalog->FindTable(table) != nullptr &&
           (created_in_file == nullptr || created_in_file->count(table) == 0);
  }
};

// What a file rule sees: every statement of one file (parseable ones).
struct FileContext {
  const SourceFile* file = nullptr;
  const std::vector<sql::Statement>* statements = nullptr;
  const catalog::Catalog* catalog_before = nullptr;  // schema before the file
  const Config* config = nullptr;
};

// What a catalog rule sees: the final schema of all linted files. Only objects whose
// Origin is in a linted file are reported (the --schema baseline is context, not input).
struct CatalogContext {
  const catalog::Catalog* catalog = nullptr;
  const Config* config = nullptr;
  // True when an object defined at `span` belongs to the linted input.
  std::function<bool(const SourceSpan& span)> is_input;
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleDoc& doc() const = 0;
  virtual void CheckStatement(const StatementContext& ctx, Emitter& out) const {}
  virtual void CheckFile(const FileContext& ctx, Emitter& out) const {}
  virtual void CheckCatalog(const CatalogContext& ctx, Emitter& out) const {}
};

// Every rule, sorted by id. Built once; thread-safe after the first call.
const std::vector<std::unique_ptr<Rule>>& AllRules();
// The rule with `id`, or null.
const Rule* FindRule(std::string_view id);

}  // namespace dbarch::lint
