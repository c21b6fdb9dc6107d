// Declared renames (`-- dbarch:renamed-from OLD` in the target's files, diff.h's Rename) applied
// to the source catalog: the RENAME / SET SCHEMA statements that turn each old object into
// the new one, and the source catalog as the server has it after them. The server follows a
// renamed object by OID, so views, defaults, foreign keys, policies, triggers and indexes that
// use it keep working under the new name; the renamed catalog models that (through the
// catalog builder's RENAME handling, plus the type, collation, enum label and function-call
// references the builder does not follow), so that the rest of the diff sees no change in
// those dependants and emits the rename alone. Used by diff.cc (Engine), pipeline.cc
// (CheckRenames) and ReverseOptions. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"
#include "diff/diff.h"

namespace dbarch::diff {

struct AppliedRenames {
  catalog::Catalog catalog;     // the source with every honoured rename applied
  std::vector<Change> changes;  // one per honoured rename, in the order they must run
  // The first rename that could not be honoured (old object absent from the source while the
  // new one is absent too, two renames of one object, a new name already taken...), with the
  // annotation's span; OK when every rename applies or was already applied. Renames that fail
  // are left out of `catalog` and `changes`.
  Status status;
};

// Applies `renames` to `from` (taken by value: move a catalog in to avoid a copy), in
// dependency order: schemas, types, domains and
// enum labels, collations, sequences, tables, views, columns, constraints, indexes,
// functions, triggers, policies. A rename whose new object exists in `from` and whose old
// one does not is already applied: it is skipped without error. Every change has
// Change::phase 0 (diff.cc's renames phase).
AppliedRenames ApplyRenames(catalog::Catalog from, const catalog::Catalog& to,
                            const std::vector<Rename>& renames);

// The first rename of `renames` that cannot be honoured on `from` -> `to` (see
// AppliedRenames::status); kInvalidArgument with the annotation's span. OK otherwise.
Status CheckRenames(const catalog::Catalog& from, const catalog::Catalog& to,
                    const std::vector<Rename>& renames);

// The same renames seen from the other side (for the down diff: each new name renamed back
// to its old one, members named by their table's old name, schema moves undone). `from` (may
// be null) is the source of the forward renames: it tells whether an annotation on a line
// with a column and its inline constraint (Rename::or_constraint) renamed the one or the other.
std::vector<Rename> ReverseRenames(const std::vector<Rename>& renames,
                                   const catalog::Catalog* from);

}  // namespace dbarch::diff
