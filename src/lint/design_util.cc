#include "lint/design_util.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <tuple>

#include "base/strings.h"
#include "catalog/naming.h"
#include "lint/rule_util.h"

namespace dbarch::lint::design {

namespace {

using catalog::Catalog;
using catalog::ConstraintKind;
using catalog::QualifiedName;
using catalog::Table;

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsIdentChar(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

template <size_t N>
bool InList(const std::string_view (&list)[N], std::string_view word) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

// Nouns spelled the same in singular and plural, or that are uncountable: they tell nothing
// about a naming convention.
constexpr std::string_view kInvariantNouns[] = {
    "access",    "advice",    "aircraft",  "analytics", "audit",     "auth",      "baggage",
    "config",    "content",   "data",      "deer",      "economics", "equipment", "evidence",
    "feedback",  "fish",      "furniture", "hardware",  "info",      "information",
    "inventory", "knowledge", "luggage",   "media",     "metadata",  "money",     "music",
    "news",      "personnel", "research",  "series",    "sheep",     "sms",       "software",
    "species",   "staff",     "statistics", "stats",    "stock",     "traffic",
    // Collection nouns: one table is one log / history / queue, in either convention.
    "archive",   "backlog",   "catalog",   "changelog", "feed",      "history",   "inbox",
    "journal",   "ledger",    "log",       "outbox",    "queue",     "registry",  "timeline",
    "trail"};

struct Irregular {
  std::string_view singular;
  std::string_view plural;
};
constexpr Irregular kIrregular[] = {
    {"person", "people"},       {"child", "children"},     {"man", "men"},
    {"woman", "women"},         {"mouse", "mice"},         {"goose", "geese"},
    {"criterion", "criteria"},  {"index", "indices"},      {"vertex", "vertices"},
    {"matrix", "matrices"},     {"analysis", "analyses"},  {"crisis", "crises"},
    {"thesis", "theses"},       {"diagnosis", "diagnoses"}, {"hypothesis", "hypotheses"},
    {"appendix", "appendices"}, {"alumnus", "alumni"},     {"cactus", "cacti"},
    {"radius", "radii"},        {"phenomenon", "phenomena"},
};

// Words ending in -ies whose singular ends in -ie, not -y.
constexpr std::string_view kIeWords[] = {
    "movies", "cookies", "zombies", "calories", "pies", "ties", "lies", "freebies", "selfies",
    "rookies"};

// Spellings of built-in types that are never domains (checked first to spare the lookup).
constexpr std::string_view kBuiltinTypes[] = {
    "bigint", "boolean", "bytea", "character", "character varying", "citext", "date",
    "daterange", "double precision", "inet", "integer", "interval", "json", "jsonb", "money",
    "numeric", "real", "smallint", "text", "time with time zone", "time without time zone",
    "timestamp with time zone", "timestamp without time zone", "tstzrange", "uuid"};

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

}  // namespace

bool IsCheckedTable(const CatalogContext& ctx, const Table& table) {
  return !table.partition_of.has_value() && ctx.is_input(table.origin.span);
}

const catalog::Origin& OriginOf(const Table& table, const catalog::Origin& part) {
  return part.span.file.empty() ? table.origin : part;
}

bool IsCheckedPart(const CatalogContext& ctx, const Table& table, const catalog::Origin& part) {
  return !table.partition_of.has_value() && ctx.is_input(OriginOf(table, part).span);
}

void ForEachTableColumns(const CatalogContext& ctx,
                         const std::function<bool(const Table&, const catalog::Column&)>& pred,
                         const std::function<void(const Table&, const catalog::Column&)>& fn) {
  for (const auto& [name, table] : ctx.catalog->tables) {
    if (table.partition_of.has_value()) continue;
    for (const catalog::Column& col : table.columns) {
      if (IsCheckedPart(ctx, table, col.origin) && pred(table, col)) fn(table, col);
    }
  }
}

std::string Rel(const QualifiedName& name) {
  std::string s = ShortName(name);
  if (s.find('"') != std::string::npos) return s;
  return "\"" + s + "\"";
}

std::string Ident(std::string_view ident) {
  std::string out;
  out.reserve(ident.size() + 2);
  out += '"';
  out += ident;
  out += '"';
  return out;
}

std::string Sql(std::string_view ident) { return QuoteIdent(ident); }

std::string ColumnPhrase(const std::vector<std::string_view>& columns) {
  std::string out = columns.size() == 1 ? "column " : "columns ";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += i + 1 == columns.size() ? " and " : ", ";
    out += Ident(columns[i]);
  }
  return out;
}

std::string ColumnsSubject(const std::vector<const catalog::Column*>& columns,
                           const QualifiedName& table) {
  std::vector<std::string_view> names;
  names.reserve(columns.size());
  for (const catalog::Column* c : columns) names.push_back(c->name);
  return ColumnPhrase(names) + " of " + Rel(table) + (columns.size() == 1 ? " is" : " are");
}

std::string CommonType(const std::vector<const catalog::Column*>& columns, std::string_view generic) {
  for (const catalog::Column* c : columns) {
    if (c->type != columns.front()->type) return std::string(generic);
  }
  return columns.empty() ? std::string(generic) : columns.front()->type;
}

std::string AlterColumnsSql(const QualifiedName& table,
                            const std::vector<const catalog::Column*>& columns,
                            const std::function<std::string(const catalog::Column&)>& clause) {
  std::string out = "ALTER TABLE " + ShortName(table);
  for (size_t i = 0; i < columns.size(); ++i) {
    out += i > 0 ? "," : "";
    out += columns.size() > 1 ? "\n  " : " ";
    out += "ALTER COLUMN " + QuoteIdent(columns[i]->name) + " " + clause(*columns[i]);
  }
  return out + ";";
}

std::string SqlList(const std::vector<std::string>& columns) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteIdent(columns[i]);
  }
  return out;
}

const catalog::Type* FindDomain(const Catalog& catalog, std::string_view type) {
  if (catalog.types.empty() || type.empty() || IsArrayType(type) || InList(kBuiltinTypes, type)) {
    return nullptr;
  }
  // Split "schema.name" at the first dot outside double quotes; unquote both parts.
  auto unquote = [](std::string_view part) {
    if (part.size() >= 2 && part.front() == '"' && part.back() == '"') {
      std::string out;
      for (size_t i = 1; i + 1 < part.size(); ++i) {
        out += part[i];
        if (part[i] == '"') ++i;  // "" stands for one quote
      }
      return out;
    }
    return std::string(part);
  };
  bool in_quotes = false;
  size_t dot = std::string_view::npos;
  for (size_t i = 0; i < type.size(); ++i) {
    if (type[i] == '"') in_quotes = !in_quotes;
    if (type[i] == '.' && !in_quotes) {
      dot = i;
      break;
    }
    if (type[i] == '(' && !in_quotes) return nullptr;  // builtin with a typmod
  }
  QualifiedName q;
  if (dot == std::string_view::npos) {
    q.schema = "public";
    q.name = unquote(type);
  } else {
    q.schema = unquote(type.substr(0, dot));
    q.name = unquote(type.substr(dot + 1));
  }
  auto it = catalog.types.find(q);
  if (it == catalog.types.end() || it->second.kind != catalog::TypeKind::kDomain) return nullptr;
  return &it->second;
}

std::string_view ResolveDomains(const Catalog& catalog, std::string_view type) {
  for (int depth = 0; depth < 16; ++depth) {
    const catalog::Type* d = FindDomain(catalog, type);
    if (d == nullptr) break;
    type = d->base_type;
  }
  return type;
}

std::string StripTypmod(std::string_view type) {
  std::string out;
  out.reserve(type.size());
  int depth = 0;
  for (char c : type) {
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth > 0) --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

std::string_view Typmod(std::string_view type) {
  size_t open = type.find('(');
  if (open == std::string_view::npos) return {};
  size_t close = type.find(')', open);
  if (close == std::string_view::npos) return {};
  return type.substr(open + 1, close - open - 1);
}

bool IsArrayType(std::string_view type) { return EndsWith(type, "[]"); }

bool IsIntegerType(std::string_view type) {
  return type == "integer" || type == "smallint" || type == "bigint";
}

bool IsTextLike(std::string_view type) {
  if (type == "text" || type == "citext" || type == "character varying") return true;
  return StartsWith(type, "character varying(") && !IsArrayType(type);
}

long long IntegerTypeMax(std::string_view type) {
  if (type == "smallint") return 32767;
  if (type == "integer") return 2147483647;
  if (type == "bigint") return 9223372036854775807LL;
  return 0;
}

std::vector<std::string_view> NameTokens(std::string_view name) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('_', start);
    if (end == std::string_view::npos) end = name.size();
    if (end > start) out.push_back(name.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string_view LastToken(std::string_view name) {
  while (!name.empty() && name.back() == '_') name.remove_suffix(1);
  size_t us = name.rfind('_');
  return us == std::string_view::npos ? name : name.substr(us + 1);
}

Number WordNumber(std::string_view w) {
  if (w.size() < 3) return Number::kUnknown;
  for (char c : w) {
    if (!(c >= 'a' && c <= 'z')) return Number::kUnknown;
  }
  if (InList(kInvariantNouns, w)) return Number::kUnknown;
  for (const Irregular& ir : kIrregular) {
    if (w == ir.singular) return Number::kSingular;
    if (w == ir.plural) return Number::kPlural;
  }
  if (EndsWith(w, "ss") || EndsWith(w, "us") || EndsWith(w, "is")) return Number::kSingular;
  if (w.back() == 's') return Number::kPlural;
  return Number::kSingular;
}

std::string Pluralize(std::string_view w) {
  for (const Irregular& ir : kIrregular) {
    if (w == ir.singular) return std::string(ir.plural);
  }
  if (w.size() >= 2 && w.back() == 'y' && !IsVowel(w[w.size() - 2])) {
    return std::string(w.substr(0, w.size() - 1)) + "ies";
  }
  if (EndsWith(w, "s") || EndsWith(w, "x") || EndsWith(w, "z") || EndsWith(w, "ch") ||
      EndsWith(w, "sh")) {
    return std::string(w) + "es";
  }
  return std::string(w) + "s";
}

std::string Singularize(std::string_view w) {
  for (const Irregular& ir : kIrregular) {
    if (w == ir.plural) return std::string(ir.singular);
  }
  auto strip = [&](size_t n) { return std::string(w.substr(0, w.size() - n)); };
  if (w.size() < 3 || w.back() != 's' || EndsWith(w, "ss") || EndsWith(w, "us") ||
      EndsWith(w, "is")) {
    return std::string(w);
  }
  if (EndsWith(w, "ies") && w.size() > 4 && !InList(kIeWords, w)) return strip(3) + "y";
  if (EndsWith(w, "sses") || EndsWith(w, "shes") || EndsWith(w, "ches") || EndsWith(w, "xes") ||
      EndsWith(w, "zzes")) {
    return strip(2);
  }
  // statuses, buses, bonuses -> strip "es"; houses, causes, warehouses -> strip "s".
  if (EndsWith(w, "uses") && w.size() > 5 && !IsVowel(w[w.size() - 5])) return strip(2);
  return strip(1);
}

std::string ReplaceLastToken(std::string_view name, std::string_view word) {
  size_t us = name.rfind('_');
  std::string out = us == std::string_view::npos ? std::string() : std::string(name.substr(0, us + 1));
  return out + std::string(word);
}

bool ExprMentions(std::string_view expr, std::string_view column) {
  size_t i = 0;
  while (i < expr.size()) {
    unsigned char c = static_cast<unsigned char>(expr[i]);
    if (c == '\'') {
      for (++i; i < expr.size(); ++i) {
        if (expr[i] == '\'') {
          if (i + 1 < expr.size() && expr[i + 1] == '\'') {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
    } else if (c == '"') {
      size_t start = ++i;
      while (i < expr.size() && !(expr[i] == '"' && (i + 1 >= expr.size() || expr[i + 1] != '"'))) {
        i += expr[i] == '"' ? 2 : 1;
      }
      if (expr.substr(start, i - start) == column) return true;
      ++i;
    } else if (IsIdentStart(c)) {
      size_t start = i;
      while (i < expr.size() && IsIdentChar(static_cast<unsigned char>(expr[i]))) ++i;
      // A word right after '.' is a field of something else; right before '(' a function.
      bool field = start > 0 && expr[start - 1] == '.';
      bool call = i < expr.size() && expr[i] == '(';
      if (!field && !call && expr.substr(start, i - start) == column) return true;
    } else {
      ++i;
    }
  }
  return false;
}

bool HasCheckOn(const Table& table, std::string_view column) {
  for (const catalog::Constraint& c : table.constraints) {
    if (c.kind == ConstraintKind::kCheck && ExprMentions(c.expression, column)) return true;
  }
  return false;
}

bool IsForeignKeyColumn(const Table& table, std::string_view column) {
  for (const catalog::Constraint& c : table.constraints) {
    if (c.kind != ConstraintKind::kForeignKey) continue;
    for (const std::string& col : c.columns) {
      if (col == column) return true;
    }
  }
  return false;
}

const catalog::Constraint* PrimaryKey(const Table& table) {
  for (const catalog::Constraint& c : table.constraints) {
    if (c.kind == ConstraintKind::kPrimaryKey) return &c;
  }
  return nullptr;
}

OwnedSequences::OwnedSequences(const Catalog& catalog) {
  for (const auto& [name, seq] : catalog.sequences) {
    if (seq.owned_by_table.has_value()) {
      entries_.push_back({&*seq.owned_by_table, seq.owned_by_column, &name});
    }
  }
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return std::tie(*a.table, a.column) < std::tie(*b.table, b.column);
  });
}

const QualifiedName* OwnedSequences::Find(const QualifiedName& table,
                                          std::string_view column) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), std::tie(table, column),
                             [](const Entry& e, const auto& key) {
                               return std::tie(*e.table, e.column) < key;
                             });
  if (it == entries_.end() || *it->table != table || it->column != column) return nullptr;
  return it->sequence;
}

bool SameKey(const KeyView& a, const KeyView& b) {
  bool params_equal = (a.opclass_params == nullptr || a.opclass_params->empty())
                          ? (b.opclass_params == nullptr || b.opclass_params->empty())
                          : (b.opclass_params != nullptr && *a.opclass_params == *b.opclass_params);
  return a.column == b.column && a.expression == b.expression && a.collation == b.collation &&
         a.opclass == b.opclass && a.descending == b.descending &&
         a.nulls_first == b.nulls_first && params_equal;
}

std::string_view IndexRef::name() const {
  return index != nullptr ? std::string_view(index->name.name) : std::string_view(constraint->name);
}

const catalog::Origin& IndexRef::origin() const {
  return index != nullptr ? index->origin : constraint->origin;
}

std::string_view IndexRef::method() const {
  if (index != nullptr) return index->method;
  if (constraint->kind == ConstraintKind::kExclude) return constraint->exclude_method;
  return "btree";
}

bool IndexRef::unique() const {
  if (index != nullptr) return index->unique;
  return constraint->kind == ConstraintKind::kPrimaryKey || constraint->kind == ConstraintKind::kUnique;
}

bool IndexRef::nulls_not_distinct() const {
  return index != nullptr ? index->nulls_not_distinct : constraint->nulls_not_distinct;
}

bool IndexRef::primary_key() const {
  return constraint != nullptr && constraint->kind == ConstraintKind::kPrimaryKey;
}

std::string_view IndexRef::predicate() const {
  if (index != nullptr) return index->predicate;
  return constraint->exclude_predicate;
}

const std::vector<std::string>& IndexRef::include() const {
  return index != nullptr ? index->include : constraint->include;
}

size_t IndexRef::size() const {
  if (index != nullptr) return index->keys.size();
  if (constraint->kind == ConstraintKind::kExclude) return constraint->exclude_keys.size();
  return constraint->columns.size();
}

KeyView IndexRef::key(size_t i) const {
  const catalog::IndexKey* k = nullptr;
  if (index != nullptr) {
    k = &index->keys[i];
  } else if (constraint->kind == ConstraintKind::kExclude) {
    k = &constraint->exclude_keys[i];
  }
  KeyView v;
  if (k == nullptr) {
    v.column = constraint->columns[i];
    return v;
  }
  v.column = k->column;
  v.expression = k->expression;
  v.collation = k->collation;
  v.opclass = k->opclass;
  v.descending = k->descending;
  v.nulls_first = k->nulls_first;
  v.opclass_params = &k->opclass_params;
  return v;
}

std::string IndexRef::KeyText() const {
  std::string out = "(";
  for (size_t i = 0; i < size(); ++i) {
    if (i > 0) out += ", ";
    KeyView k = key(i);
    if (!k.column.empty()) {
      out += QuoteIdent(k.column);
    } else {
      bool bare_call = k.expression.find(' ') == std::string_view::npos;
      out += bare_call ? std::string(k.expression) : "(" + std::string(k.expression) + ")";
    }
    if (!k.collation.empty()) out += " COLLATE " + QuoteIdent(k.collation);
    if (!k.opclass.empty()) out += " " + std::string(k.opclass);
    if (k.descending) out += " DESC";
    if (k.nulls_first != k.descending) out += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  out += ")";
  if (!include().empty()) {
    std::vector<std::string> cols(include().begin(), include().end());
    out += " INCLUDE (" + SqlList(cols) + ")";
  }
  return out;
}

std::string IndexRef::Describe() const {
  if (index != nullptr) return (index->unique ? "unique index " : "index ") + Ident(name());
  switch (constraint->kind) {
    case ConstraintKind::kPrimaryKey: return "primary key " + Ident(name());
    case ConstraintKind::kUnique: return "unique constraint " + Ident(name());
    default: return "exclusion constraint " + Ident(name());
  }
}

std::string IndexRef::DropSql(const QualifiedName& table) const {
  if (index != nullptr) return "DROP INDEX CONCURRENTLY " + ShortName(index->name) + ";";
  return "ALTER TABLE " + ShortName(table) + " DROP CONSTRAINT " + QuoteIdent(name()) + ";";
}

bool SameDefinition(const IndexRef& a, const IndexRef& b) {
  if (a.method() != b.method() || a.size() != b.size() || a.predicate() != b.predicate() ||
      a.include() != b.include()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameKey(a.key(i), b.key(i))) return false;
  }
  return true;
}

bool IsStrictKeyPrefix(const IndexRef& a, const IndexRef& b) {
  if (a.size() == 0 || a.size() >= b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameKey(a.key(i), b.key(i))) return false;
  }
  return true;
}

IndexLookup::IndexLookup(const Catalog& catalog) {
  by_table_.reserve(catalog.indexes.size());
  for (const auto& [name, idx] : catalog.indexes) by_table_.emplace_back(&idx.table, &idx);
  std::stable_sort(by_table_.begin(), by_table_.end(),
                   [](const auto& a, const auto& b) { return *a.first < *b.first; });
}

void IndexLookup::Get(const Table& table, std::vector<IndexRef>& out) const {
  out.clear();
  for (const catalog::Constraint& c : table.constraints) {
    if (c.kind == ConstraintKind::kPrimaryKey || c.kind == ConstraintKind::kUnique ||
        c.kind == ConstraintKind::kExclude) {
      out.push_back(IndexRef{nullptr, &c});
    }
  }
  auto lo = std::lower_bound(by_table_.begin(), by_table_.end(), table.name,
                             [](const auto& e, const QualifiedName& q) { return *e.first < q; });
  for (auto it = lo; it != by_table_.end() && *it->first == table.name; ++it) {
    out.push_back(IndexRef{it->second, nullptr});
  }
}

bool HasUniqueKey(const std::vector<IndexRef>& indexes) {
  for (const IndexRef& r : indexes) {
    if (r.unique() && !r.primary_key() && r.predicate().empty()) return true;
  }
  return false;
}

std::string AddPrimaryKeySql(const Table& table) {
  std::string t = ShortName(table.name);
  if (table.FindColumn("id") != nullptr) return "ALTER TABLE " + t + " ADD PRIMARY KEY (id);";
  return "ALTER TABLE " + t + " ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;";
}

std::string ChooseIndexName(const Catalog& catalog, const QualifiedName& table,
                            const std::vector<std::string>& columns) {
  return catalog::ChooseName(table.name, catalog::NameAddition(columns), "idx",
                             [&](const std::string& n) {
                               QualifiedName q{table.schema, n};
                               return catalog.indexes.count(q) > 0 || catalog.tables.count(q) > 0 ||
                                      catalog.views.count(q) > 0 || catalog.sequences.count(q) > 0;
                             });
}

std::string CreateIndexSql(const Catalog& catalog, const Table& table,
                           const std::vector<std::string>& columns) {
  std::string name = QuoteIdent(ChooseIndexName(catalog, table.name, columns));
  std::string target = ShortName(table.name) + " (" + SqlList(columns) + ");";
  if (table.partition_strategy != catalog::PartitionStrategy::kNone) {
    return "CREATE INDEX " + name + " ON " + target +
           "\n-- partitioned table: CONCURRENTLY is not supported here; to avoid the lock, create "
           "it ON ONLY the parent, then CONCURRENTLY on each partition and ATTACH those";
  }
  return "CREATE INDEX CONCURRENTLY " + name + " ON " + target;
}

void ScanIdentifiers(std::string_view text,
                     const std::function<void(size_t, std::string_view, bool)>& fn) {
  size_t i = 0;
  const size_t n = text.size();
  auto skip_string = [&](bool backslash_escapes) {
    // text[i] is the opening quote.
    for (++i; i < n; ++i) {
      if (backslash_escapes && text[i] == '\\') {
        ++i;
      } else if (text[i] == '\'') {
        if (i + 1 < n && text[i + 1] == '\'') {
          ++i;
        } else {
          ++i;
          return;
        }
      }
    }
  };
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      size_t nl = text.find('\n', i);
      i = nl == std::string_view::npos ? n : nl + 1;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      int depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] == '/' && i + 1 < n && text[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (text[i] == '*' && i + 1 < n && text[i + 1] == '/') {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      }
    } else if (c == '\'') {
      skip_string(false);
    } else if (c == '"') {
      size_t start = i + 1;
      size_t j = start;
      while (j < n && !(text[j] == '"' && (j + 1 >= n || text[j + 1] != '"'))) {
        j += text[j] == '"' ? 2 : 1;
      }
      fn(i, text.substr(start, std::min(j, n) - start), true);
      i = j + 1;
    } else if (c == '$') {
      // $tag$ ... $tag$ (tag may be empty); anything else ($1) is a parameter.
      size_t j = i + 1;
      while (j < n && IsIdentChar(static_cast<unsigned char>(text[j])) && text[j] != '$') ++j;
      if (j < n && text[j] == '$' &&
          (j == i + 1 || !std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
        std::string_view tag = text.substr(i, j - i + 1);
        size_t close = text.find(tag, j + 1);
        i = close == std::string_view::npos ? n : close + tag.size();
      } else {
        i = j;
      }
    } else if (std::isdigit(c)) {
      while (i < n && (IsIdentChar(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    } else if (IsIdentStart(c)) {
      size_t start = i;
      while (i < n && IsIdentChar(static_cast<unsigned char>(text[i]))) ++i;
      std::string_view word = text.substr(start, i - start);
      if (i < n && text[i] == '\'' && word.size() == 1 &&
          std::string_view("eEbBxXnN").find(word[0]) != std::string_view::npos) {
        skip_string(word[0] == 'e' || word[0] == 'E');  // E'...', B'...', X'...', N'...'
        continue;
      }
      if (i + 1 < n && text[i] == '&' && (word == "U" || word == "u") &&
          (text[i + 1] == '\'' || text[i + 1] == '"')) {
        ++i;  // U&'...' / U&"...": the literal or identifier follows
        continue;
      }
      fn(start, word, false);
    } else {
      ++i;
    }
  }
}

}  // namespace dbarch::lint::design
