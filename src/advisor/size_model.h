// The size of an index as PostgreSQL 15's CREATE INDEX lays it out, computed from the
// table's statistics instead of HypoPG's figure (which for B-trees ignores deduplication and
// was measured 2.8x too large on TPC-H scale 1). Pure functions (IndexSizeModel) plus the
// server reads that feed them (ReadSizeInputs).
//
// B-tree: leaf tuples of an 8-byte header plus the key and INCLUDE values at their type's
// alignment (short varlenas unaligned, as index_form_tuple stores them), MAXALIGNed, plus a
// 4-byte line pointer; leaves filled to the fillfactor (90 %) less the high key, internal
// pages to 70 %; a metapage. Deduplication (PostgreSQL 13+, on by default, never with INCLUDE
// columns, unique indexes or types without an equal-image operator class such as numeric
// and float): the rows of one key value share posting-list tuples of at most 812 bytes of
// heap TIDs (6 bytes each), the limit CREATE INDEX uses; the key values of several columns
// are their columns' combinations spread at random, or as many as a sample of the rows shows
// when their columns are correlated. Partial indexes hold the rows the
// planner estimates for their predicate. Hash: 16-byte tuples (the 4-byte hash code) in
// buckets sized by the 75 % fillfactor, allocated in splitpoint groups, with overflow pages
// for values too frequent for one page. BRIN: one summary tuple per 128 heap pages plus the
// range map. GIN and GiST have no model (they are built for real where they are costed).
//
// Checked against real builds in advisor/size_model_test.cc (within 15 %).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "advisor/whatif.h"
#include "base/status.h"
#include "pg/connection.h"

namespace dbarch::advisor {

// What the model needs to know of one key or INCLUDE element.
struct SizeColumn {
  double avg_width = 0;    // bytes as stored (pg_stats.avg_width: varlena header included)
  int typlen = -1;         // pg_type.typlen (-1 varlena, -2 cstring)
  char typalign = 'i';     // pg_type.typalign: c, s, i, d
  double null_frac = 0;    // pg_stats.null_frac
  double n_distinct = -1;  // distinct values; negative: minus the fraction of rows
  bool dedup_safe = true;  // its B-tree operator class has an equal image (dedup allowed)
};

// One combination of stored widths of the index's elements in a sample of the table's rows
// (pg_column_size: a short varlena with its one-byte header), keys then INCLUDE, and how
// many sampled rows have it. A width below zero is a NULL.
struct SampledWidths {
  std::vector<double> widths;
  double rows = 0;
};

struct SizeInputs {
  double table_rows = 0;   // pg_class.reltuples
  double heap_pages = 0;   // pg_relation_size / 8192 of the table
  double selectivity = 1;  // fraction of rows a partial index holds
  std::vector<SizeColumn> keys;
  std::vector<SizeColumn> include;
  int fillfactor = 0;  // 0: the method's default (btree 90, hash 75)
  bool unique = false;
  // The widths of the elements in sampled rows, when any element is variable-length: each
  // combination is laid out and MAXALIGNed exactly, since the padding to 8 bytes depends on
  // the width of each row, not on the average (an int key with numeric INCLUDE values of 5 to
  // 13 bytes is a 24- or 32-byte tuple). Empty: the averages of `keys` and `include`.
  std::vector<SampledWidths> sample;
  // Distinct combinations of a key of several columns among the rows the index holds,
  // estimated from a sample of them; 0 when not sampled. The columns' own distinct counts
  // multiply to the combinations of independent columns, which correlated ones do not reach
  // (each customer buying from one supplier): the model takes the smaller.
  double key_distinct = 0;
};

// Bytes of the index `method` built over `in`; nullopt for a method without a model (GIN,
// GiST) or inputs without rows and keys.
std::optional<int64_t> IndexSizeModel(IndexMethod method, const SizeInputs& in);

// The statistics the model reads of one leaf partition (or of a table that is not
// partitioned): pg_class.reltuples (-1: never analyzed), its heap pages and each column's
// type with its pg_stats (NOT inherited).
struct LeafSizeStats {
  catalog::QualifiedName table;
  char relkind = 'r';
  double rows = 0;
  double pages = 0;
  std::map<std::string, SizeColumn> columns;  // by name; widths of the type where no stats
  std::set<std::string> with_stats;           // the columns pg_stats holds
};

// The leaf statistics of each table sized in a run, read in one query per table (all leaves
// of a partitioned table at once) the first time it is asked for and kept: candidates are
// sized by the hundred, and a partitioned table's leaves by the dozen each.
class SizeStatsCache {
 public:
  // The leaves of `table` (the table itself when it is not partitioned; none for a view).
  Result<const std::vector<LeafSizeStats>*> Leaves(pg::Connection& conn,
                                                   const catalog::QualifiedName& table);
  // Queries sent by Leaves (one per table).
  int64_t reads() const { return reads_; }

  // The sampled distinct combinations of a multi-column key, by `key` (the table, the key
  // elements in any order, the predicate): the candidates that differ only in the order or
  // direction of their keys share one sample. Null when not sampled yet.
  const double* KeyDistinct(const std::string& key) const;
  void SetKeyDistinct(const std::string& key, double distinct);
  // Samples taken for KeyDistinct.
  int64_t key_samples() const { return key_samples_; }

 private:
  std::map<catalog::QualifiedName, std::vector<LeafSizeStats>> tables_;
  std::map<std::string, double> key_distinct_;
  int64_t reads_ = 0;
  int64_t key_samples_ = 0;
};

// The modelled size of `index` on the server `conn` is connected to: IndexSizeModel over the
// inputs ReadSizeInputs describes, and for a partitioned table the sum over its leaf
// partitions (an index created on the parent is one index per partition; the parent holds
// none of the rows; an empty leaf's B-tree is its metapage). The table's statistics come from
// `cache` (a fresh one when null); what depends on the index (expression and width samples,
// the predicate's selectivity) is read once over the whole table, not per leaf. nullopt when
// the model does not apply to the table or to any of its partitions.
Result<std::optional<int64_t>> ModelIndexSizeBytes(pg::Connection& conn, const IndexDef& index,
                                                   SizeStatsCache* cache = nullptr);

// Reads the model's inputs for `index` from the server `conn` is connected to (catalog,
// pg_stats, an EXPLAIN of the predicate for a partial index; expression keys from a sample of
// at most 30,000 rows; the widths of variable-length elements from a sample of about 3,000
// rows): read-only. nullopt when the model does not apply (GIN/GiST, a
// partitioned table, a column without statistics: the table was never analyzed).
Result<std::optional<SizeInputs>> ReadSizeInputs(pg::Connection& conn, const IndexDef& index);

}  // namespace dbarch::advisor
