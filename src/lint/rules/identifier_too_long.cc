// identifier-too-long: an identifier longer than 63 bytes in a DDL statement.
//
// Pattern: in any statement except plain queries and DML (SELECT, INSERT, UPDATE, DELETE,
// MERGE), an identifier token, bare or "quoted", longer than 63 bytes (NAMEDATALEN - 1).
// Each distinct identifier is reported once per statement, at its first occurrence.
// Why: PostgreSQL truncates longer identifiers to 63 bytes with only a NOTICE, which most
// migration tools do not show. The object gets a different name than the one written, so
// tools that look it up by the written name fail, and two names that differ only after byte
// 63 (long index or constraint names built from column lists) collide: the second CREATE
// fails, or worse, an ALTER/DROP hits the wrong object. Bytes, not characters: non-ASCII
// names reach the limit sooner.
// Fix: rename to 63 bytes or less (the message shows what the server would keep).
// False positives: none; a long name that is never compared with its truncated form still
// misleads readers of the catalog.
// Example: CREATE INDEX order_items_customer_id_product_id_variant_id_created_at_status_idx ON ...;
//       -> CREATE INDEX order_items_customer_product_variant_created_idx ON ...;
#include <algorithm>
#include <string>
#include <vector>

#include "base/strings.h"
#include "catalog/naming.h"
#include "lint/design_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class IdentifierTooLong final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "identifier-too-long", Family::kDesign, Severity::kError,
        "an identifier is longer than 63 bytes and will be truncated",
        "PostgreSQL silently truncates identifiers to 63 bytes (NAMEDATALEN - 1; only a "
        "NOTICE is raised), so the object is stored under another name than the one written: "
        "tools that look for the written name fail, and names that differ only after byte 63 "
        "collide, making a later CREATE fail or an ALTER/DROP hit the wrong object.",
        "Shorten the name to at most 63 bytes.",
        "CREATE INDEX order_items_customer_id_product_id_variant_id_created_at_status_idx "
        "ON order_items (customer_id, product_id, variant_id, created_at, status);",
        "CREATE INDEX order_items_customer_product_variant_idx "
        "ON order_items (customer_id, product_id, variant_id, created_at, status);"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (ctx.stmt->node == nullptr || sql::IsQueryOrDml(ctx.stmt->node)) return;
    std::string_view text = ctx.Text();
    if (text.size() <= catalog::kMaxIdentifierBytes) return;
    // Fast path: without a double quote, a long identifier is a long run of word bytes.
    if (text.find('"') == std::string_view::npos) {
      size_t run = 0;
      bool long_run = false;
      for (char ch : text) {
        unsigned char c = static_cast<unsigned char>(ch);
        bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '$' || c >= 0x80;
        run = word ? run + 1 : 0;
        if (run > catalog::kMaxIdentifierBytes) {
          long_run = true;
          break;
        }
      }
      if (!long_run) return;
    }
    std::vector<std::string> seen;
    design::ScanIdentifiers(text, [&](size_t offset, std::string_view raw, bool quoted) {
      if (raw.size() <= catalog::kMaxIdentifierBytes) return;
      std::string name;
      if (quoted) {
        name.reserve(raw.size());
        for (size_t i = 0; i < raw.size(); ++i) {
          name += raw[i];
          if (raw[i] == '"' && i + 1 < raw.size() && raw[i + 1] == '"') ++i;
        }
      } else {
        name = ToLower(raw);  // bare identifiers are folded, then truncated
      }
      if (name.size() <= catalog::kMaxIdentifierBytes) return;
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) return;
      seen.push_back(name);
      std::string kept = catalog::TruncateIdentifier(name);
      out.Report(static_cast<int>(ctx.stmt->begin + offset),
                 "identifier " + design::Ident(name) + " is " + std::to_string(name.size()) +
                     " bytes long: PostgreSQL truncates it to 63 bytes (" + design::Ident(kept) +
                     "), so names that differ only after that collide",
                 "shorten the name to at most 63 bytes");
    });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_identifier_too_long() {
  return std::make_unique<IdentifierTooLong>();
}

}  // namespace dbarch::lint
