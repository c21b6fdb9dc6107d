// plaintext-password-column: a text column whose name says it holds a password or secret
// (password, passwd, pwd, passphrase, secret, token, api_key, private_key, access_key, ...)
// with no comment saying it is hashed or encrypted.
//
// Why: whoever reads the table (a backup, a replica, a reporting role, an SQL injection, a
// log of a slow query) reads every credential in clear and can use it elsewhere: users reuse
// passwords, and API tokens work as they are.
// Fix: store a slow salted hash instead (pgcrypto: crypt($1, gen_salt('bf')), or argon2 /
// bcrypt in the application) in a column named for it (password_hash); keep tokens as hashes
// too (compare digest(token, 'sha256')), and keys that must be recovered in a secrets vault or
// encrypted (pgp_sym_encrypt). If the column already holds a hash, say so in a COMMENT.
// False positives: columns that already hold hashes under a plain name: a comment mentioning
// hash / crypt / digest / vault / kms silences the rule; names that qualify the secret
// (password_hash, token_expires_at, secret_name, key_prefix, ...), payment-provider tokens
// (provider_token, card_token: references stored by design) and non-text types (bytea,
// timestamps, booleans) are not reported.
// Example: CREATE TABLE users (id bigint, password text);
//       -> CREATE TABLE users (id bigint, password_hash text);  -- crypt(password, gen_salt('bf'))
#include <set>

#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

bool IsTextType(const std::string& type) {
  return type == "text" || StartsWith(type, "character varying") ||
         StartsWith(type, "character(") || type == "character" || type == "citext" ||
         EndsWith(type, ".citext") || type == "\"char\"";
}

// True when the column name says it holds a secret in itself.
bool SecretName(const std::vector<std::string>& w) {
  static const std::set<std::string, std::less<>> kSecret = {
      "password", "passwd", "pwd",        "passphrase", "secret",
      "token",    "apikey", "privatekey", "passcode"};
  static const std::set<std::string, std::less<>> kQualifier = {
      "hash",      "hashed",   "digest",   "encrypted", "enc",     "crypt",       "crypted",
      "bcrypt",    "argon2",   "scrypt",   "salt",      "prefix",  "suffix",      "last4",
      "hint",      "type",     "kind",     "expires",   "expiry",  "expiration",  "expired",
      "at",        "id",       "ids",      "count",     "length",  "len",         "version",
      "policy",    "required", "changed",  "updated",   "created", "name",        "ref",
      "reference", "arn",      "path",     "url",       "uri",     "fingerprint", "mask",
      "masked",    "last",     "sent",     "method",    "format",  "status",      "scope",
      "scopes",    "set",      "strength", "rotated",   "issued",  "question",    "algorithm",
      "alg",       "hmac",     "sha256",   "sha1",      "md5",     "kms",         "vault"};
  bool secret = false;
  for (size_t i = 0; i < w.size(); ++i) {
    if (kQualifier.count(w[i])) return false;
    // A payment provider's token is a stored reference by design (PCI tokenization).
    bool reference_token = w[i] == "token" && i > 0 &&
                           (w[i - 1] == "provider" || w[i - 1] == "payment" || w[i - 1] == "card" ||
                            w[i - 1] == "processor" || w[i - 1] == "gateway");
    if (kSecret.count(w[i]) && !reference_token) secret = true;
    if (i + 1 < w.size() && w[i + 1] == "key" &&
        (w[i] == "api" || w[i] == "private" || w[i] == "secret" || w[i] == "access" ||
         w[i] == "signing" || w[i] == "encryption" || w[i] == "session")) {
      secret = true;
    }
  }
  return secret;
}

// Cheap pre-filter before splitting the name into words.
bool MaybeSecret(std::string_view name) {
  for (const char* s : {"pass", "pwd", "secret", "token", "key"}) {
    if (ContainsNoCase(name, s)) return true;
  }
  return false;
}

bool CommentSaysProtected(const std::string& comment) {
  std::string c = ToLower(comment);
  for (const char* word : {"hash", "crypt", "argon", "pbkdf", "digest", "cipher", "vault", "kms"}) {
    if (c.find(word) != std::string::npos) return true;
  }
  return false;
}

class PlaintextPasswordColumn final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "plaintext-password-column",
        Family::kSecurity,
        Severity::kWarning,
        "a text column named like a password or secret, not documented as hashed or encrypted",
        "Anyone who can read the table, a backup or a replica reads every credential in clear; "
        "passwords are reused elsewhere and tokens work as they are.",
        "Store a slow salted hash (pgcrypto crypt($1, gen_salt('bf')), bcrypt / argon2 in the "
        "application) in a column named for it, hash tokens too, keep recoverable keys in a "
        "vault or encrypted; if it is already a hash, say so in a COMMENT.",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, password text);",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, password_hash text);\n"
        "COMMENT ON COLUMN users.password_hash IS 'bcrypt hash: crypt(password, "
        "gen_salt(''bf''))';"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    for (const auto& [name, t] : ctx.catalog->tables) {
      if (t.partition_of.has_value()) continue;
      for (const catalog::Column& c : t.columns) {
        if (!design::IsCheckedPart(ctx, t, c.origin) || !IsTextType(c.type) ||
            !MaybeSecret(c.name) || !SecretName(IdentifierWords(c.name)) ||
            CommentSaysProtected(c.comment)) {
          continue;
        }
        std::string col = ShortName(name) + "." + QuoteIdent(c.name);
        out.ReportAtOrigin(
            design::OriginOf(t, c.origin),
            "column \"" + c.name + "\" of \"" + DisplayName(name) + "\" (" + c.type +
                ") looks like a secret stored in plain text",
            "store a salted hash instead (pgcrypto: crypt($1, gen_salt('bf'))) or keep the secret "
            "in a vault; if it already holds a hash, document it: COMMENT ON COLUMN " +
                col + " IS 'bcrypt hash';");
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_plaintext_password_column() {
  return std::make_unique<PlaintextPasswordColumn>();
}

}  // namespace dbarch::lint
