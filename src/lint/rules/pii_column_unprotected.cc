// pii-column-unprotected: columns that likely hold personal data (e-mail, phone, national id /
// SSN, date of birth, card number, IBAN, passport, tax id, postal or IP address) with no
// comment documenting how they are protected.
//
// Why: personal data brings legal duties (GDPR, CCPA, PCI DSS for card numbers): knowing where
// it is, restricting and logging access, masking it in non-production copies, erasing it on
// request. Undocumented PII columns are the ones that leak into analytics exports, test
// databases and logs. Card numbers and national ids should normally not be stored in clear at
// all.
// Fix: protect the column (encrypt it with pgcrypto or in the application, store a hash or a
// token from a vault, mask it in replicas and dumps, limit access with column privileges or
// RLS) and record that in a comment mentioning PII / GDPR / encryption / masking; the rule
// reads the comment. Columns that are fine as they are go into the `ignore` option.
// False positives: business data under PII-like names (a warehouse address, a company phone);
// add them to `ignore` (entries: column, table.column or schema.table.column) or comment them.
// A table comment that mentions PII / GDPR covers all its columns. Info severity.
// Example: CREATE TABLE customers (id bigint, email text, phone text);
//       -> COMMENT ON COLUMN customers.email IS 'PII (GDPR): masked in non-production dumps';
#include <set>

#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

bool PiiName(const std::vector<std::string>& w, const std::string& full) {
  static const std::set<std::string, std::less<>> kWords = {
      "email",   "phone",  "mobile",    "telephone", "msisdn",     "ssn",
      "dob",     "birth",  "birthdate", "birthday",  "passport",   "iban",
      "address", "street", "taxid",     "ssnumber",  "creditcard", "cardnumber"};
  static const std::set<std::string, std::less<>> kNotData = {
      "verified", "confirmed", "confirmation", "verification", "opt",       "optin",   "opted",
      "consent",  "id",        "ids",          "count",        "hash",      "hashed",  "encrypted",
      "enc",      "masked",    "mask",         "token",        "tokenized", "last4",   "last",
      "type",     "kind",      "status",       "domain",       "format",    "valid",   "is",
      "has",      "sent",      "at",           "bounced",      "provider",  "country", "code",
      "prefix",   "template",  "changed",      "updated",      "created",   "visible", "public",
      "allowed",  "required",  "enabled",      "extension"};
  bool pii = false;
  for (size_t i = 0; i < w.size(); ++i) {
    if (kNotData.count(w[i])) return false;
    if (kWords.count(w[i])) pii = true;
    if (i + 1 < w.size()) {
      const std::string& a = w[i];
      const std::string& b = w[i + 1];
      if ((a == "social" && b == "security") || (a == "card" && (b == "number" || b == "pan")) ||
          (a == "credit" && b == "card") || (a == "cc" && b == "number") ||
          (a == "tax" && (b == "id" || b == "number")) || (a == "national" && b == "id") ||
          (a == "bank" && b == "account")) {
        // "id" would otherwise mark these as a reference column.
        return true;
      }
    }
  }
  return pii || full == "pan" || full == "tin";
}

// Cheap pre-filter before splitting the name into words.
bool MaybePii(std::string_view name) {
  for (const char* s :
       {"mail", "phone", "mobile", "msisdn", "ssn", "dob", "birth", "passport", "iban", "address",
        "street", "tax", "card", "cc", "social", "national", "bank", "pan", "tin"}) {
    if (ContainsNoCase(name, s)) return true;
  }
  return false;
}

bool ExcludedType(const std::string& type) {
  return type == "boolean" || type == "uuid" || StartsWith(type, "timestamp") ||
         StartsWith(type, "time ") || type == "interval" || type == "smallint";
}

bool DocumentsProtection(const std::string& comment) {
  std::string c = ToLower(comment);
  for (const char* word : {"encrypt", "mask", "hash", "pii", "gdpr", "pseudonym", "anonymi",
                           "tokeniz", "redact", "personal data", "pgcrypto"}) {
    if (c.find(word) != std::string::npos) return true;
  }
  return false;
}

class PiiColumnUnprotected final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "pii-column-unprotected",
        Family::kSecurity,
        Severity::kInfo,
        "a likely personal-data column (e-mail, phone, SSN, birth date, card number, IBAN, "
        "passport, tax id, address) has no comment documenting its protection",
        "Personal data carries legal duties (GDPR, CCPA, PCI DSS): knowing where it is, "
        "restricting access, masking it outside production and erasing it on request. "
        "Undocumented PII columns are the ones that leak into exports, test copies and logs.",
        "Protect the column (encryption, hashing or tokenization, masking in dumps, column "
        "privileges or RLS) and say so in a COMMENT mentioning PII / GDPR / encryption / "
        "masking; list intentional exceptions in the rule's `ignore` option.",
        "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, phone text);",
        "COMMENT ON COLUMN customers.email IS 'PII (GDPR): masked in non-production dumps';\n"
        "COMMENT ON COLUMN customers.phone IS 'PII (GDPR): encrypted with pgcrypto';"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    std::vector<std::string> ignore;
    if (ctx.config != nullptr)
      ignore = ctx.config->ListOption("pii-column-unprotected", "ignore", {});
    auto ignored = [&](const catalog::QualifiedName& t, const std::string& c) {
      for (const std::string& i : ignore) {
        if (i == c || i == t.name + "." + c || i == t.schema + "." + t.name + "." + c) return true;
      }
      return false;
    };
    for (const auto& [name, t] : ctx.catalog->tables) {
      if (t.partition_of.has_value() || !ctx.is_input(t.origin.span) ||
          DocumentsProtection(t.comment))
        continue;
      std::vector<std::string> cols;
      std::string first;
      for (const catalog::Column& c : t.columns) {
        if (ExcludedType(c.type) || DocumentsProtection(c.comment) || ignored(name, c.name))
          continue;
        if (!MaybePii(c.name) || !PiiName(IdentifierWords(c.name), ToLower(c.name))) continue;
        cols.push_back("\"" + c.name + "\"");
        if (first.empty()) first = c.name;
      }
      if (cols.empty()) continue;
      out.ReportAt(
          t.origin.span,
          "table \"" + DisplayName(name) + "\" holds likely personal data (" + Join(cols, ", ") +
              ") with no documented protection",
          "protect it (encryption, hashing or tokenization, masking in dumps, column privileges) "
          "and document it, e.g. COMMENT ON COLUMN " +
              ShortName(name) + "." + QuoteIdent(first) +
              " IS 'PII (GDPR): <how it is protected>'; or list the column in the rule's "
              "ignore option");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_pii_column_unprotected() {
  return std::make_unique<PiiColumnUnprotected>();
}

}  // namespace dbarch::lint
