// timestamp-without-time-zone: a column of type timestamp (without time zone).
//
// Pattern: a column of a table in the linted input whose type, domains resolved, is
// timestamp[(p)] without time zone (or an array of it).
// Why: timestamp stores a wall-clock reading with no zone: the same value means different
// instants for clients in different zones, now() is silently converted to the session's
// local time on insert, and arithmetic across a daylight-saving change is off by an hour.
// timestamptz stores an absolute instant (UTC internally, same 8 bytes) and converts on
// input and output using the session's TimeZone.
// Fix: ALTER COLUMN ... TYPE timestamp with time zone. Existing values are read in the
// session's time zone; with it set to UTC, PostgreSQL 12+ changes the type without rewriting
// the table.
// False positives: values that really are zone-less local times (a shop's opening hours, a
// birthday at midnight); use date or time for those where possible, or suppress.
// Example: CREATE TABLE t (created_at timestamp);  ->  CREATE TABLE t (created_at timestamptz);
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class TimestampWithoutTimeZone final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "timestamp-without-time-zone", Family::kDesign, Severity::kWarning,
        "a column uses timestamp without time zone",
        "timestamp stores a wall-clock reading without a zone: the same value is a different "
        "instant for clients in different zones, now() is stored in the session's local "
        "time, and intervals across a daylight-saving change are off by an hour. "
        "timestamptz stores an absolute instant in the same 8 bytes and converts using the "
        "session's TimeZone.",
        "Change the column to timestamp with time zone; run the ALTER with the session time "
        "zone set to the zone the stored values were written in (UTC: PostgreSQL 12+ then "
        "skips the table rewrite).",
        "CREATE TABLE events (occurred_at timestamp NOT NULL);",
        "CREATE TABLE events (occurred_at timestamptz NOT NULL);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const catalog::Catalog& cat = *ctx.catalog;
    design::ForEachTableColumns(
        ctx,
        [&](const catalog::Table&, const catalog::Column& c) {
          std::string_view t = design::ResolveDomains(cat, c.type);
          return StartsWith(t, "timestamp") && t.find("without time zone") != std::string_view::npos;
        },
        [&](const catalog::Table& table, const catalog::Column& column) {
          const std::vector<const catalog::Column*> cols{&column};
          std::string fix =
              "SET timezone = 'UTC';  -- the zone the existing values were written in\n" +
              design::AlterColumnsSql(table.name, cols, [&](const catalog::Column& c) {
                std::string_view t = design::ResolveDomains(cat, c.type);
                return "TYPE timestamp with time zone" +
                       std::string(design::IsArrayType(t) ? "[]" : "");
              });
          out.ReportAtOrigin(
              design::OriginOf(table, column.origin),
              design::ColumnsSubject(cols, table.name) +
                  " timestamp without time zone: values are wall-clock readings that "
                  "mean different instants in different time zones",
              std::move(fix));
        });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_timestamp_without_time_zone() {
  return std::make_unique<TimestampWithoutTimeZone>();
}

}  // namespace dbarch::lint
