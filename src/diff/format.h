// Renderings of a DiffResult (diff.h) for `dbarch diff --format sql|json|text`. They live in
// diff/ rather than report/ because diff/ uses report/'s catalog renderer to write the
// objects it creates, and report/ may not depend back on diff/. Pure; thread-safe.
#pragma once

#include <string>

#include "diff/diff.h"

namespace dbarch::diff {

// The up script: every statement followed by ';' and a newline; refused (destructive)
// changes are written as comments naming what they would lose; warnings as comments at the
// top. A script that creates functions starts with SET check_function_bodies = false (a
// function body may name objects created later). Empty for a result without changes.
// A change that needs a psql variable (a role's password, Change::psql_variable) runs only
// when the variable is set (\if :{?name}, else a \warn) unless `require_variables`: then
// its statements refer to the variable unguarded, so that a run without it fails before
// anything runs (`dbarch migrate`'s files: a migration recorded as applied must have done
// everything it says).
std::string FormatSql(const DiffResult& result, bool require_variables = false);

// The reverse script of a down DiffResult, the same as FormatSql.
// JSON: {"changes": [{"kind", "object", "action", "lock", "rewrites", "scans",
// "destructive", "data_loss", "refused", "sql": [...], "reverse": [...]}], "warnings": [...]}
std::string FormatJson(const DiffResult& result);

// One line per change: "+ create table public.t", "~ alter column ...", "- drop ...", with
// lock / rewrite / scan / loss notes, and the warnings.
std::string FormatText(const DiffResult& result);

}  // namespace dbarch::diff
