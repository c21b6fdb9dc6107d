#include "advisor/size_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <utility>

#include "base/strings.h"

namespace dbarch::advisor {
namespace {

constexpr double kBlock = 8192;
constexpr double kPageHeader = 24;
constexpr double kMaxAlign = 8;
constexpr double kLinePointer = 4;

double Align(double offset, double to) { return std::ceil(offset / to) * to; }

double AlignOf(char typalign) {
  switch (typalign) {
    case 'c':
      return 1;
    case 's':
      return 2;
    case 'd':
      return 8;
    default:
      return 4;
  }
}

// Expected bytes of the values of `cols` laid out one after the other as heap_fill_tuple
// does (fixed-length values at their alignment, varlenas of less than 127 bytes with a
// one-byte header and unaligned), and whether any width varies from row to row.
double DataBytes(const std::vector<const SizeColumn*>& cols, bool* variable) {
  double off = 0;
  for (const SizeColumn* c : cols) {
    const double present = 1 - std::clamp(c->null_frac, 0.0, 1.0);
    double next = off;
    if (c->typlen > 0) {
      next = Align(off, AlignOf(c->typalign)) + c->typlen;
    } else {
      *variable = true;
      next =
          c->avg_width < 127 ? off + c->avg_width : Align(off, AlignOf(c->typalign)) + c->avg_width;
    }
    off += present * (next - off);
  }
  return off;
}

// An index tuple of these values: the 8-byte header (16 with a null bitmap), the data,
// MAXALIGNed. Variable widths pad by 3.5 bytes on average instead of a fixed rounding.
double TupleBytes(const std::vector<const SizeColumn*>& cols) {
  bool variable = false;
  const double data = DataBytes(cols, &variable);
  double no_null = 1;
  for (const SizeColumn* c : cols) no_null *= 1 - std::clamp(c->null_frac, 0.0, 1.0);
  const double header = 8 + (1 - no_null) * 8;
  return variable ? header + data + 3.5 : Align(header + data, kMaxAlign);
}

// The mean MAXALIGNed tuple of elements `first`..`last` (indexes into each sampled row's
// widths, whose types are `cols`): each sampled combination laid out as index_form_tuple
// does (a NULL takes no data but makes the header 16 bytes; a varlena of at most 127 stored
// bytes has a one-byte header and no alignment), weighted by its rows.
double SampledTupleBytes(const std::vector<const SizeColumn*>& cols,
                         const std::vector<SampledWidths>& sample, size_t count) {
  double bytes = 0;
  double rows = 0;
  for (const SampledWidths& row : sample) {
    double off = 0;
    bool any_null = false;
    for (size_t i = 0; i < count && i < row.widths.size() && i < cols.size(); ++i) {
      const double w = row.widths[i];
      if (w < 0) {
        any_null = true;
      } else if (cols[i]->typlen > 0) {
        off = Align(off, AlignOf(cols[i]->typalign)) + cols[i]->typlen;
      } else if (w <= 127) {
        off += w;
      } else {
        off = Align(off, AlignOf(cols[i]->typalign)) + w;
      }
    }
    bytes += row.rows * Align((any_null ? 16 : 8) + off, kMaxAlign);
    rows += row.rows;
  }
  return rows > 0 ? bytes / rows : 0;
}

double Distinct(const SizeColumn& c, double rows) {
  return c.n_distinct < 0 ? -c.n_distinct * rows : c.n_distinct;
}

std::optional<int64_t> BtreeSize(const SizeInputs& in) {
  const double rows = std::max(0.0, in.table_rows * std::clamp(in.selectivity, 0.0, 1.0));
  std::vector<const SizeColumn*> keys;
  std::vector<const SizeColumn*> all;
  for (const SizeColumn& c : in.keys) keys.push_back(&c);
  all = keys;
  for (const SizeColumn& c : in.include) all.push_back(&c);
  const bool sampled = !in.sample.empty();
  const double tuple = sampled ? SampledTupleBytes(all, in.sample, all.size()) : TupleBytes(all);
  const double key_tuple =
      sampled ? SampledTupleBytes(all, in.sample, keys.size()) : TupleBytes(keys);
  // Rows per key value (deduplication merges them into posting lists).
  double distinct = 1;
  double most_distinct = 1;  // of the single columns
  bool dedup = in.include.empty() && !in.unique;
  for (const SizeColumn& c : in.keys) {
    distinct *= std::max(1.0, Distinct(c, in.table_rows));
    most_distinct = std::max(most_distinct, Distinct(c, in.table_rows));
    dedup = dedup && c.dedup_safe;
  }
  // Rows in key values of their own (never deduplicated) and the values holding the rest.
  double singles = 0;
  if (in.keys.size() > 1 && most_distinct >= 0.99 * in.table_rows) {
    // A column unique on its own makes every combination unique, whatever the others
    // (status, placed_at): the Poisson spread below would deduplicate a quarter of them.
    distinct = rows;
    singles = rows;
  } else if (in.keys.size() > 1) {
    // The product assumes independent columns; as it nears the row count, many
    // combinations occur once or not at all. Rows spread over D combinations at random
    // (Poisson, rate r / D) occupy D (1 - e^-(r/D)) of them, D (r/D) e^-(r/D) with one row
    // (TPC-H lineitem (l_shipinstruct, l_partkey, l_shipmode): 560 k combinations, 600 k
    // rows, 368 k occupied, 205 k by one row; the rest deduplicate).
    const double d = distinct;
    const double rate = rows / std::max(d, 1.0);
    distinct = d * -std::expm1(-rate);
    singles = rows * std::exp(-rate);
    if (in.key_distinct > 0 && in.key_distinct < 0.5 * distinct) {
      // Correlated columns: far fewer combinations than independent columns would occupy.
      // The rows are spread the same way over the space whose occupied part is the sampled
      // count: the rate r solving (1 - e^-r) / r = key_distinct / rows (by bisection; the
      // left side falls from 1 to 0), and e^-r of the rows are alone in their combination.
      const double target = std::clamp(in.key_distinct / std::max(rows, 1.0), 1e-12, 1.0);
      double lo = 1e-9;
      double hi = 1e9;
      for (int i = 0; i < 200 && hi / lo > 1 + 1e-9; ++i) {
        const double mid = std::sqrt(lo * hi);
        if (-std::expm1(-mid) / mid > target) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      distinct = in.key_distinct;
      singles = rows * std::exp(-lo);
    }
  }
  distinct = std::clamp(distinct, 1.0, std::max(rows, 1.0));
  double leaf_bytes = rows * (tuple + kLinePointer);
  const double grouped_values = std::max(distinct - singles, 1.0);
  const double per_group = (rows - singles) / grouped_values;
  if (dedup && per_group >= 2) {
    // CREATE INDEX caps a posting-list tuple at 812 bytes (a tenth of a page less a line
    // pointer), MAXALIGNed: at most (808 - base) / 6 heap TIDs.
    const double base = Align(key_tuple, kMaxAlign);
    const double max_tids = std::max(1.0, std::floor((808 - base) / 6));
    const double full = std::floor(per_group / max_tids);
    const double rest = per_group - full * max_tids;
    double group = full * (Align(base + 6 * max_tids, kMaxAlign) + kLinePointer);
    if (rest >= 2) {
      group += base + 6 * rest + 3.5 + kLinePointer;
    } else if (rest > 0) {
      group += rest * (tuple + kLinePointer);
    }
    leaf_bytes = singles * (tuple + kLinePointer) + grouped_values * group;
  }
  const double fill = in.fillfactor > 0 ? in.fillfactor : 90;
  const double usable = kBlock - kPageHeader - 16;  // BTPageOpaqueData
  const double leaf_room = usable - kBlock * (100 - fill) / 100 - (key_tuple + kLinePointer);
  double leaves = std::max(1.0, std::ceil(leaf_bytes / std::max(leaf_room, 1.0)));
  // Internal pages at BTREE_NONLEAF_FILLFACTOR (70 %) of pivot tuples (key columns only).
  const double per_internal =
      std::max(2.0, std::floor((usable - kBlock * 0.30) / (key_tuple + kLinePointer)));
  double pages = 1 + leaves;  // the metapage
  for (double level = leaves; level > 1;) {
    level = std::ceil(level / per_internal);
    pages += level;
  }
  return static_cast<int64_t>(pages * kBlock);
}

// _hash_init's bucket count for `tuples` at `ffactor` tuples per bucket: powers of two up to
// 1,024, above that in quarters of each doubling (splitpoint phases).
double HashBuckets(double tuples, double ffactor) {
  const double wanted = tuples / ffactor;
  if (wanted <= 2) return 2;
  const double group = std::ceil(std::log2(wanted));
  if (group <= 10) return std::pow(2, group);
  const double step = std::pow(2, group - 3);
  return std::ceil(wanted / step) * step;
}

std::optional<int64_t> HashSize(const SizeInputs& in) {
  if (in.keys.size() != 1) return std::nullopt;
  const double rows = std::max(0.0, in.table_rows * std::clamp(in.selectivity, 0.0, 1.0));
  const double fill = in.fillfactor > 0 ? in.fillfactor : 75;
  const double item = 16 + kLinePointer;  // header + 4-byte hash code, MAXALIGNed
  const double ffactor = std::max(10.0, std::floor(kBlock * fill / 100 / item));
  const double buckets = HashBuckets(rows, ffactor);
  const double per_page = std::floor((kBlock - kPageHeader - 16) / item);
  // The rows of one value all go to one bucket: values with more rows than a page holds
  // need overflow pages.
  const double distinct = std::clamp(Distinct(in.keys[0], in.table_rows), 1.0, std::max(rows, 1.0));
  const double per_value = rows / distinct;
  double overflow = 0;
  if (per_value > per_page / 2) {
    overflow =
        std::max(0.0, distinct * std::ceil(per_value / per_page) - std::min(distinct, buckets));
  }
  return static_cast<int64_t>((2 + buckets + overflow) * kBlock);  // metapage, bitmap page
}

std::optional<int64_t> BrinSize(const SizeInputs& in) {
  const double ranges = std::max(1.0, std::ceil(in.heap_pages / 128));
  std::vector<const SizeColumn*> cols;
  double data = 0;
  for (const SizeColumn& c : in.keys) {
    // minmax: the smallest and largest value of each column per range.
    const double width = c.typlen > 0 ? c.typlen : c.avg_width;
    data = Align(data, c.typlen > 0 ? AlignOf(c.typalign) : 1) + 2 * width;
  }
  const double tuple = Align(8 + data, kMaxAlign) + kLinePointer;
  const double per_page = std::max(1.0, std::floor((kBlock - kPageHeader - 8) / tuple));
  const double revmap = std::ceil(ranges / 1360);  // REVMAP_PAGE_MAXITEMS
  return static_cast<int64_t>((1 + revmap + std::ceil(ranges / per_page)) * kBlock);
}

bool DedupSafe(std::string_view typname, std::string_view category) {
  static constexpr std::string_view kUnsafe[] = {"float4",   "float8",  "interval", "numeric",
                                                 "tsvector", "tsquery", "jsonb",    "record"};
  if (category == "A" || category == "R") return false;
  return std::find(std::begin(kUnsafe), std::end(kUnsafe), typname) == std::end(kUnsafe);
}

}  // namespace

std::optional<int64_t> IndexSizeModel(IndexMethod method, const SizeInputs& in) {
  if (in.keys.empty()) return std::nullopt;
  switch (method) {
    case IndexMethod::kBtree:
      return BtreeSize(in);
    case IndexMethod::kHash:
      return HashSize(in);
    case IndexMethod::kBrin:
      return BrinSize(in);
    case IndexMethod::kGin:
    case IndexMethod::kGist:
      return std::nullopt;
  }
  return std::nullopt;
}

const double* SizeStatsCache::KeyDistinct(const std::string& key) const {
  auto it = key_distinct_.find(key);
  return it == key_distinct_.end() ? nullptr : &it->second;
}

void SizeStatsCache::SetKeyDistinct(const std::string& key, double distinct) {
  key_distinct_[key] = distinct;
  ++key_samples_;
}

Result<const std::vector<LeafSizeStats>*> SizeStatsCache::Leaves(
    pg::Connection& conn, const catalog::QualifiedName& table) {
  if (auto it = tables_.find(table); it != tables_.end()) return &it->second;
  // Every leaf (the table itself when it is not partitioned) with its rows, pages and each
  // column's type and pg_stats, in one round trip: per candidate and per leaf these reads
  // would be several queries each, hundreds of times on a table of 36 partitions.
  ++reads_;
  const std::string rel = QuoteLiteral(table.Quoted()) + "::regclass";
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec("SELECT n.nspname::text, c.relname::text, c.relkind::text, c.reltuples::float8, "
                "pg_relation_size(c.oid)::float8 / 8192, a.attname::text, t.typname::text, "
                "t.typcategory::text, t.typlen::int, t.typalign::text, s.avg_width::float8, "
                "s.null_frac::float8, s.n_distinct::float8 FROM (SELECT relid FROM "
                "pg_partition_tree(" +
                rel + ") WHERE isleaf UNION ALL SELECT " + rel +
                " WHERE NOT EXISTS (SELECT FROM pg_partition_tree(" + rel +
                "))) p JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON n.oid = "
                "c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
                "AND NOT a.attisdropped LEFT JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN "
                "pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND "
                "s.attname = a.attname AND NOT s.inherited ORDER BY 1, 2, a.attnum"));
  std::vector<LeafSizeStats> leaves;
  for (int i = 0; i < r.rows(); ++i) {
    catalog::QualifiedName name{std::string(r.Get(i, 0)), std::string(r.Get(i, 1))};
    if (leaves.empty() || leaves.back().table != name) {
      LeafSizeStats leaf;
      leaf.table = std::move(name);
      leaf.relkind = r.Get(i, 2).empty() ? '?' : r.Get(i, 2)[0];
      leaf.rows = std::stod(std::string(r.Get(i, 3)));
      leaf.pages = std::stod(std::string(r.Get(i, 4)));
      leaves.push_back(std::move(leaf));
    }
    if (r.IsNull(i, 5)) continue;
    LeafSizeStats& leaf = leaves.back();
    SizeColumn c;
    c.typlen = static_cast<int>(r.GetInt(i, 8));
    c.typalign = r.Get(i, 9).empty() ? 'i' : r.Get(i, 9)[0];
    c.dedup_safe = DedupSafe(r.Get(i, 6), r.Get(i, 7));
    const bool stats = !r.IsNull(i, 10);
    if (stats) {
      c.avg_width = std::stod(std::string(r.Get(i, 10)));
      c.null_frac = std::stod(std::string(r.Get(i, 11)));
      c.n_distinct = std::stod(std::string(r.Get(i, 12)));
    } else if (c.typlen > 0) {
      c.avg_width = c.typlen;
    }
    std::string column(r.Get(i, 5));
    if (stats) leaf.with_stats.insert(column);
    leaf.columns[column] = c;
  }
  return &tables_.emplace(table, std::move(leaves)).first->second;
}

namespace {

// The distinct combinations of `key_sql` (the index's key elements) among the `matching`
// rows the index holds, estimated from a sample of at most 10,000 of them (whole blocks,
// TABLESAMPLE SYSTEM) in two ways, the larger taken:
// - Duj1, the estimator ANALYZE uses for one column (Haas and Stokes): d n / (n - f1 + f1 n /
//   N) for d combinations seen in n sampled rows of N, f1 of them once; it scales up the
//   combinations a sample misses when many occur once or twice;
// - the combinations seen times, for the key column whose values the sample saw the least
//   share of (`stats_distinct`: pg_stats, from ANALYZE's sample of single rows), the inverse
//   of that share: a block holds a run of rows that physical order clusters (a day's events),
//   so a sample of blocks sees some clusters with all their rows, which Duj1 alone takes for
//   all there are.
// 0 when the sample holds no rows.
Result<double> SampleKeyDistinct(pg::Connection& conn, const IndexDef& index,
                                 const std::vector<std::string>& key_sql, double matching,
                                 const std::vector<double>& stats_distinct) {
  constexpr double kSampleRows = 10000;
  const double percent =
      matching <= kSampleRows ? 100 : std::max(0.01, 100 * kSampleRows / matching);
  std::vector<std::string> keys;
  std::vector<std::string> names;
  std::vector<std::string> groups;
  std::vector<std::string> seen;
  for (size_t i = 0; i < key_sql.size(); ++i) {
    const std::string k = "k" + std::to_string(i);
    keys.push_back(key_sql[i] + " AS " + k);
    names.push_back(k);
    groups.push_back(std::to_string(i + 1));
    seen.push_back("count(DISTINCT " + k + ")::float8");
  }
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult sample,
      conn.Exec("SELECT count(*)::float8, (count(*) FILTER (WHERE n = 1))::float8, "
                "coalesce(sum(n), 0)::float8, " +
                Join(seen, ", ") + " FROM (SELECT " + Join(names, ", ") +
                ", count(*) AS n FROM (SELECT " + Join(keys, ", ") + " FROM " +
                index.table.Quoted() + " TABLESAMPLE SYSTEM (" + std::to_string(percent) + ")" +
                (index.predicate.empty() ? "" : " WHERE " + index.predicate) + " LIMIT " +
                std::to_string(static_cast<int>(kSampleRows)) + ") s GROUP BY " +
                Join(groups, ", ") + ") g"));
  if (sample.rows() != 1) return 0.0;
  auto get = [&](int col) { return std::stod(std::string(sample.Get(0, col))); };
  const double d = get(0);
  const double f1 = get(1);
  const double n = get(2);
  if (n <= 0 || d <= 0) return 0.0;
  const double total = std::max(matching, n);
  double estimate = d;
  if (n < total) estimate = n * d / std::max(n - f1 + f1 * n / total, 1.0);
  for (size_t i = 0; i < stats_distinct.size(); ++i) {
    const double seen_values = get(3 + static_cast<int>(i));
    if (seen_values > 0 && stats_distinct[i] > seen_values) {
      estimate = std::max(estimate, d * stats_distinct[i] / seen_values);
    }
  }
  return std::clamp(estimate, d, total);
}

// The model's inputs for `index` on each of `leaves` (the leaf partitions of index.table, or
// the table itself). What depends on the index rather than on a leaf is read once over
// index.table (a partitioned parent scans its leaves): the sampled widths, type and distinct
// share of expression keys, the predicate's selectivity (the same share of every leaf's rows)
// and the sampled widths of the elements. An empty leaf (no rows, analyzed) has rows 0 and
// no keys. nullopt when the model does not apply.
Result<std::optional<std::vector<SizeInputs>>> ReadLeafInputs(
    pg::Connection& conn, const IndexDef& index, const std::vector<LeafSizeStats>& leaves,
    SizeStatsCache& cache) {
  using Maybe = std::optional<std::vector<SizeInputs>>;
  if (index.method == IndexMethod::kGin || index.method == IndexMethod::kGist) return Maybe();
  if (leaves.empty()) return Maybe();
  double total_rows = 0;
  const LeafSizeStats* typed = nullptr;  // a leaf with statistics: types are the same in all
  for (const LeafSizeStats& leaf : leaves) {
    if (leaf.relkind != 'r' || leaf.rows < 0) return Maybe();  // never analyzed
    total_rows += leaf.rows;
    if (leaf.rows > 0 && typed == nullptr) typed = &leaf;
  }
  if (typed == nullptr) return Maybe();
  auto column = [](const LeafSizeStats& leaf,
                   const std::string& name) -> std::optional<SizeColumn> {
    auto it = leaf.columns.find(name);
    if (it == leaf.columns.end() || leaf.with_stats.count(name) == 0) return std::nullopt;
    return it->second;
  };
  // Per key: the expression's element as sampled (nullopt for a column key), and the ratio of
  // its distinct values to those of its first column in the sample.
  struct Sampled {
    SizeColumn element;
    double distinct_ratio = 1;
    std::string first_column;
  };
  std::vector<std::optional<Sampled>> expressions;
  // The sample size for expression keys: at most 30,000 rows of whole blocks.
  const double percent = total_rows <= 30000 ? 100 : std::max(0.01, 100 * 30000 / total_rows);
  std::vector<std::string> element_sql;  // keys then INCLUDE, as the sample reads them
  bool variable = false;
  for (const IndexKey& k : index.keys) {
    if (!k.IsExpression()) {
      std::optional<SizeColumn> c = column(*typed, k.column);
      if (!c) return Maybe();
      variable = variable || c->typlen < 0;
      expressions.push_back(std::nullopt);
      element_sql.push_back(QuoteIdent(k.column));
      continue;
    }
    element_sql.push_back("(" + k.expression + ")");
    // An expression has no pg_stats of its own (until an index on it is analyzed): its
    // width, type and distinct share come from a sample, scaled by its first column's.
    if (k.expression_columns.empty()) return Maybe();
    if (!column(*typed, k.expression_columns.front())) return Maybe();
    const std::string col = QuoteIdent(k.expression_columns.front());
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult sample,
        conn.Exec("SELECT coalesce(avg(pg_column_size(e)), 0)::float8, "
                  "coalesce(avg((e IS NULL)::int), 0)::float8, count(DISTINCT e)::float8, "
                  "count(DISTINCT c)::float8, min(ty)::int8 FROM (SELECT (" +
                  k.expression + ") AS e, " + col + " AS c, pg_typeof(" + k.expression +
                  ")::oid AS ty FROM " + index.table.Quoted() + " TABLESAMPLE SYSTEM (" +
                  std::to_string(percent) + ") LIMIT 30000) s"));
    if (sample.rows() != 1 || sample.IsNull(0, 4)) return Maybe();
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult type,
        conn.Exec("SELECT typname::text, typcategory::text, typlen::int, typalign::text FROM "
                  "pg_type WHERE oid = " +
                  std::string(sample.Get(0, 4))));
    if (type.rows() != 1) return Maybe();
    Sampled s;
    s.element.typlen = static_cast<int>(type.GetInt(0, 2));
    s.element.typalign = type.Get(0, 3).empty() ? 'i' : type.Get(0, 3)[0];
    s.element.dedup_safe = DedupSafe(type.Get(0, 0), type.Get(0, 1));
    s.element.avg_width = std::stod(std::string(sample.Get(0, 0)));
    s.element.null_frac = std::stod(std::string(sample.Get(0, 1)));
    const double de = std::stod(std::string(sample.Get(0, 2)));
    const double dc = std::stod(std::string(sample.Get(0, 3)));
    s.distinct_ratio = dc > 0 ? de / dc : 1;
    s.first_column = k.expression_columns.front();
    variable = variable || s.element.typlen < 0;
    expressions.push_back(std::move(s));
  }
  for (const std::string& name : index.include) {
    std::optional<SizeColumn> c = column(*typed, name);
    if (!c) return Maybe();
    variable = variable || c->typlen < 0;
    element_sql.push_back(QuoteIdent(name));
  }
  double selectivity = 1;
  if (!index.predicate.empty() && total_rows > 0) {
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult plan,
                            conn.Exec("EXPLAIN (FORMAT JSON) SELECT 1 FROM " +
                                      index.table.Quoted() + " WHERE " + index.predicate));
    if (plan.rows() < 1) return Maybe();
    nlohmann::json doc = nlohmann::json::parse(plan.Get(0, 0), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_array() || doc.empty() || !doc[0].contains("Plan"))
      return Maybe();
    const nlohmann::json& rows = doc[0]["Plan"]["Plan Rows"];
    if (!rows.is_number()) return Maybe();
    selectivity = std::clamp(rows.get<double>() / total_rows, 0.0, 1.0);
  }
  std::vector<SampledWidths> widths_sample;
  if (variable && total_rows > 0) {
    // Each element's stored width in about 3,000 sampled rows (whole blocks): ROW() stores a
    // value as an index tuple does (a short header where it fits, an expression's result
    // too), so the row's size less its 24-byte header is the value's. Grouped, so only the
    // distinct combinations travel.
    constexpr double kSampleRows = 3000;
    const double matching = total_rows * std::max(selectivity, 1e-9);
    const double sample_percent =
        matching <= kSampleRows ? 100 : std::max(0.01, 100 * kSampleRows / matching);
    std::vector<std::string> widths;
    std::vector<std::string> names;
    std::vector<std::string> groups;
    for (size_t i = 0; i < element_sql.size(); ++i) {
      const std::string e = element_sql[i];
      widths.push_back("CASE WHEN " + e + " IS NULL THEN -1 ELSE pg_column_size(ROW(" + e +
                       ")) - 24 END AS w" + std::to_string(i));
      names.push_back("w" + std::to_string(i));
      groups.push_back(std::to_string(i + 1));
    }
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult sample,
        conn.Exec("SELECT " + Join(names, ", ") + ", count(*)::float8 FROM (SELECT " +
                  Join(widths, ", ") + " FROM " + index.table.Quoted() + " TABLESAMPLE SYSTEM (" +
                  std::to_string(sample_percent) + ")" +
                  (index.predicate.empty() ? "" : " WHERE " + index.predicate) + " LIMIT " +
                  std::to_string(static_cast<int>(kSampleRows)) + ") s GROUP BY " +
                  Join(groups, ", ")));
    const int n = static_cast<int>(element_sql.size());
    for (int r = 0; r < sample.rows(); ++r) {
      SampledWidths row;
      for (int i = 0; i < n; ++i) row.widths.push_back(std::stod(std::string(sample.Get(r, i))));
      row.rows = std::stod(std::string(sample.Get(r, n)));
      widths_sample.push_back(std::move(row));
    }
  }
  // The distinct combinations of a key of several columns, from a sample, for a B-tree that
  // may deduplicate (no INCLUDE) on a table that is not partitioned (the columns' statistics
  // the estimate is scaled by are per leaf).
  double key_distinct = 0;
  if (index.method == IndexMethod::kBtree && index.keys.size() > 1 && index.include.empty() &&
      leaves.size() == 1 && leaves.front().table == index.table && total_rows > 0) {
    std::vector<double> stats_distinct;  // each key's distinct values by its statistics
    for (size_t i = 0; i < index.keys.size(); ++i) {
      if (!expressions[i]) {
        stats_distinct.push_back(Distinct(*column(*typed, index.keys[i].column), typed->rows));
      } else {
        stats_distinct.push_back(Distinct(*column(*typed, expressions[i]->first_column),
                                          typed->rows) *
                                 expressions[i]->distinct_ratio);
      }
    }
    // Sampled only where correlation changes the size: not when a column is unique on its
    // own (every combination is), nor when independent columns already put ten rows or more
    // in each combination (their posting lists are then mostly heap TIDs, whatever the count).
    const double matching = typed->rows * selectivity;
    double product = 1;
    double most = 1;
    for (double d : stats_distinct) {
      product = std::min(product * std::max(d, 1.0), 1e18);
      most = std::max(most, d);
    }
    const double occupied = product * -std::expm1(-matching / product);
    if (most < 0.99 * typed->rows && occupied > 0.1 * matching) {
      std::vector<std::string> key_sql(element_sql.begin(),
                                       element_sql.begin() + index.keys.size());
      std::vector<std::string> sorted = key_sql;
      std::sort(sorted.begin(), sorted.end());
      const std::string cache_key =
          index.table.Quoted() + "|" + Join(sorted, ",") + "|" + index.predicate;
      if (const double* known = cache.KeyDistinct(cache_key)) {
        key_distinct = *known;
      } else {
        DBARCH_ASSIGN_OR_RETURN(key_distinct, SampleKeyDistinct(conn, index, key_sql, matching,
                                                                stats_distinct));
        cache.SetKeyDistinct(cache_key, key_distinct);
      }
    }
  }
  std::vector<SizeInputs> out;
  for (const LeafSizeStats& leaf : leaves) {
    SizeInputs in;
    in.table_rows = leaf.rows;
    in.heap_pages = leaf.pages;
    if (leaf.rows == 0) {
      out.push_back(std::move(in));
      continue;
    }
    for (size_t i = 0; i < index.keys.size(); ++i) {
      if (!expressions[i]) {
        std::optional<SizeColumn> c = column(leaf, index.keys[i].column);
        if (!c) return Maybe();
        in.keys.push_back(*c);
        continue;
      }
      std::optional<SizeColumn> first = column(leaf, expressions[i]->first_column);
      if (!first) return Maybe();
      SizeColumn c = expressions[i]->element;
      const double first_distinct = Distinct(*first, leaf.rows);
      c.n_distinct = std::max(1.0, first_distinct * expressions[i]->distinct_ratio);
      in.keys.push_back(c);
    }
    for (const std::string& name : index.include) {
      std::optional<SizeColumn> c = column(leaf, name);
      if (!c) return Maybe();
      in.include.push_back(*c);
    }
    in.selectivity = selectivity;
    in.sample = widths_sample;
    in.key_distinct = key_distinct;
    out.push_back(std::move(in));
  }
  return Maybe(std::move(out));
}

}  // namespace

Result<std::optional<int64_t>> ModelIndexSizeBytes(pg::Connection& conn, const IndexDef& index,
                                                   SizeStatsCache* cache) {
  using Maybe = std::optional<int64_t>;
  SizeStatsCache local;
  if (cache == nullptr) cache = &local;
  DBARCH_ASSIGN_OR_RETURN(const std::vector<LeafSizeStats>* leaves,
                          cache->Leaves(conn, index.table));
  DBARCH_ASSIGN_OR_RETURN(std::optional<std::vector<SizeInputs>> inputs,
                          ReadLeafInputs(conn, index, *leaves, *cache));
  if (!inputs) return Maybe();
  int64_t total = 0;
  for (const SizeInputs& in : *inputs) {
    if (in.table_rows == 0) {
      // An empty partition's B-tree is its metapage; other methods size empty tables from
      // the planner's guess of their rows, which the model does not follow.
      if (index.method != IndexMethod::kBtree) return Maybe();
      total += static_cast<int64_t>(kBlock);
      continue;
    }
    std::optional<int64_t> size = IndexSizeModel(index.method, in);
    if (!size) return Maybe();
    total += *size;
  }
  return Maybe(total);
}

Result<std::optional<SizeInputs>> ReadSizeInputs(pg::Connection& conn, const IndexDef& index) {
  using Maybe = std::optional<SizeInputs>;
  SizeStatsCache cache;
  DBARCH_ASSIGN_OR_RETURN(const std::vector<LeafSizeStats>* leaves,
                          cache.Leaves(conn, index.table));
  // A partitioned table (its leaves are other tables) is for ModelIndexSizeBytes.
  if (leaves->size() != 1 || leaves->front().table != index.table) return Maybe();
  DBARCH_ASSIGN_OR_RETURN(std::optional<std::vector<SizeInputs>> inputs,
                          ReadLeafInputs(conn, index, *leaves, cache));
  if (!inputs || inputs->front().table_rows == 0) return Maybe();
  return Maybe(std::move(inputs->front()));
}

}  // namespace dbarch::advisor
