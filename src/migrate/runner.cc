#include "migrate/runner.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "base/strings.h"
#include "migrate/checksum.h"

namespace dbarch::migrate {
namespace {

bool IsPlainIdent(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// The Migration of `v` in `dir`; null when the folder has none.
const Migration* FindMigration(const MigrationDir& dir, const Version& v) {
  for (const Migration& m : dir.versioned) {
    if (m.version == v) return &m;
  }
  return nullptr;
}

const MigrationScript* FindRepeatable(const MigrationDir& dir, std::string_view name) {
  for (const MigrationScript& s : dir.repeatable) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// The interrupted row of `snap`: the last row with success = false; null when none.
const HistoryRow* Interrupted(const Snapshot& snap) {
  for (auto it = snap.history.rbegin(); it != snap.history.rend(); ++it) {
    if (!it->success) return &*it;
  }
  return nullptr;
}

// The file a history row ran, or null when the folder no longer has it.
const MigrationScript* ScriptOfRow(const MigrationDir& dir, const HistoryRow& row) {
  if (!row.version) return FindRepeatable(dir, row.script);
  Result<Version> v = Version::Parse(*row.version);
  if (!v.ok()) return nullptr;
  const Migration* m = FindMigration(dir, *v);
  if (m == nullptr) return nullptr;
  if (row.type == "UNDO_SQL") return m->down ? &*m->down : nullptr;
  return &m->up;
}

Status ProblemStatus(const Problem& p) {
  std::string hint = "`dbarch migrate validate` lists every problem";
  if (p.kind == "checksum-mismatch") {
    hint =
        "restore the file as it was applied, or, when the edit is deliberate and already "
        "reflected in the database, record it with `dbarch migrate repair`";
  } else if (p.kind == "missing-file") {
    hint = "restore the file, or mark it deleted in the history with `dbarch migrate repair`";
  } else if (p.kind == "out-of-order") {
    hint = "apply it anyway with --out-of-order, or give it a version above the latest applied";
  }
  return Status::InvalidArgument(p.message).WithHint(hint);
}

std::string Plural(int64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

Result<Runner> Runner::Create(pg::Connection& conn, const MigrationDir& dir,
                              RunnerOptions options) {
  std::string name = options.history_table;
  size_t dot = name.find('.');
  std::string schema = dot == std::string::npos ? "" : name.substr(0, dot);
  std::string table = dot == std::string::npos ? name : name.substr(dot + 1);
  if ((dot != std::string::npos && !IsPlainIdent(schema)) || !IsPlainIdent(table)) {
    return Status::InvalidArgument("history table \"" + name +
                                   "\" must be [schema.]name in lower-case letters, digits and _");
  }
  Runner r(conn, dir, std::move(options));
  r.table_sql_ = schema.empty() ? QuoteIdent(table) : QuoteIdent(schema) + "." + QuoteIdent(table);
  return r;
}

int64_t Runner::LockKey(const std::string& history_table) {
  std::string digest = Sha256Hex("dbarch migrate lock " + history_table);
  uint64_t key = std::stoull(digest.substr(0, 16), nullptr, 16);
  return static_cast<int64_t>(key);
}

void Runner::Progress(const std::string& line) const {
  if (options_.on_progress) options_.on_progress(line);
}

Status Runner::RestoreSession() {
  std::string sql =
      "RESET ALL; SET statement_timeout = " + std::to_string(options_.statement_timeout_ms) +
      "; SET lock_timeout = " + std::to_string(options_.lock_timeout_ms);
  // A runner that dies mid-statement leaves its backend running until the statement ends;
  // checking the client every second ends it (and rolls back) soon after (PostgreSQL 14+).
  if (conn_->server_version_num() >= 140000) sql += "; SET client_connection_check_interval = 1000";
  return conn_->ExecScript(sql);
}

Status Runner::Lock() {
  DBARCH_RETURN_IF_ERROR(conn_->ExecScript("SET statement_timeout = 0; SET lock_timeout = 0"));
  Status locked = conn_->ExecScript("SELECT pg_advisory_lock(" +
                                    std::to_string(LockKey(options_.history_table)) + ")");
  DBARCH_RETURN_IF_ERROR(RestoreSession());
  return locked;
}

Status Runner::Unlock() {
  return conn_->ExecScript("SELECT pg_advisory_unlock(" +
                           std::to_string(LockKey(options_.history_table)) + ")");
}

Status Runner::EnsureTable() {
  return conn_->ExecScript(
      "CREATE TABLE IF NOT EXISTS " + table_sql_ +
      " (installed_rank integer PRIMARY KEY, version varchar(50), description varchar(200) NOT "
      "NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum varchar(64), "
      "installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), "
      "execution_time integer NOT NULL, success boolean NOT NULL, statements_applied integer "
      "NOT NULL DEFAULT 0)");
}

Result<Snapshot> Runner::Inspect() {
  Snapshot snap;
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult exists,
      conn_->ExecParams("SELECT to_regclass($1) IS NOT NULL", {options_.history_table}));
  snap.table_exists = exists.GetBool(0, 0);
  if (snap.table_exists) {
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult rows,
        conn_->Exec("SELECT installed_rank, version, description, type, script, checksum, "
                    "installed_by, installed_on::text, execution_time, success, "
                    "statements_applied FROM " +
                    table_sql_ + " ORDER BY installed_rank"));
    for (int i = 0; i < rows.rows(); ++i) {
      HistoryRow r;
      r.installed_rank = rows.GetInt(i, 0);
      if (!rows.IsNull(i, 1)) r.version = std::string(rows.Get(i, 1));
      r.description = rows.Get(i, 2);
      r.type = rows.Get(i, 3);
      r.script = rows.Get(i, 4);
      if (!rows.IsNull(i, 5)) r.checksum = std::string(rows.Get(i, 5));
      r.installed_by = rows.Get(i, 6);
      r.installed_on = rows.Get(i, 7);
      r.execution_time_ms = rows.GetInt(i, 8);
      r.success = rows.GetBool(i, 9);
      r.statements_applied = rows.GetInt(i, 10);
      snap.history.push_back(std::move(r));
    }
  }

  // Replay the history: what is applied now, by version and by repeatable script.
  std::map<Version, const HistoryRow*> applied;
  std::map<std::string, const HistoryRow*> repeatable_applied;
  for (const HistoryRow& r : snap.history) {
    if (!r.success) continue;
    if (!r.version) {
      repeatable_applied[r.script] = &r;
      continue;
    }
    Result<Version> v = Version::Parse(*r.version);
    if (!v.ok()) {
      return Status::InvalidArgument("history table row " + std::to_string(r.installed_rank) +
                                     ": " + v.status().message());
    }
    if (r.type == "BASELINE") {
      snap.baseline = *v;
    } else if (r.type == "SQL") {
      applied[*v] = &r;
    } else {  // UNDO_SQL, DELETE
      applied.erase(*v);
    }
  }
  if (!applied.empty()) snap.current = applied.rbegin()->first;
  const HistoryRow* interrupted = Interrupted(snap);

  struct Keyed {
    Version v;
    Entry e;
  };
  std::vector<Keyed> versioned;
  for (const Migration& m : dir_->versioned) {
    Entry e;
    e.version = m.version.text();
    e.description = m.up.description;
    e.type = "versioned";
    e.script = m.up.name;
    e.has_undo = m.down.has_value();
    auto it = applied.find(m.version);
    bool is_interrupted = interrupted != nullptr && interrupted->type == "SQL" &&
                          interrupted->version && Version::Parse(*interrupted->version).ok() &&
                          *Version::Parse(*interrupted->version) == m.version;
    if (snap.baseline && m.version <= *snap.baseline) {
      e.state = "below-baseline";
    } else if (it != applied.end()) {
      e.installed_on = it->second->installed_on;
      if (it->second->checksum != m.up.checksum) {
        e.state = "changed";
        snap.problems.push_back({"checksum-mismatch", m.up.name, m.up.path,
                                 "\"" + m.up.path +
                                     "\" was changed after it was applied (recorded checksum " +
                                     it->second->checksum.value_or("NULL").substr(0, 12) +
                                     "..., now " + m.up.checksum.substr(0, 12) + "...)"});
      } else {
        e.state = "applied";
      }
    } else if (is_interrupted) {
      e.state = "interrupted";
    } else if (snap.current && m.version < *snap.current) {
      e.state = "out-of-order";
      if (!options_.out_of_order) {
        snap.problems.push_back({"out-of-order", m.up.name, m.up.path,
                                 "\"" + m.up.path + "\" has version " + m.version.text() +
                                     ", older than the latest applied version " +
                                     snap.current->text() + ", and was never applied"});
      }
    } else {
      e.state = "pending";
    }
    versioned.push_back({m.version, std::move(e)});
  }
  for (const auto& [v, row] : applied) {
    if (FindMigration(*dir_, v) != nullptr) continue;
    Entry e;
    e.version = *row->version;
    e.description = row->description;
    e.type = "versioned";
    e.script = row->script;
    e.state = "missing";
    e.installed_on = row->installed_on;
    snap.problems.push_back({"missing-file", row->script, "",
                             "migration \"" + row->script + "\" (version " + *row->version +
                                 ") is applied but its file is missing from the folder"});
    versioned.push_back({v, std::move(e)});
  }
  if (snap.baseline) {
    for (const HistoryRow& r : snap.history) {
      if (r.type != "BASELINE") continue;
      Entry e;
      e.version = *r.version;
      e.description = r.description;
      e.type = "baseline";
      e.script = r.script;
      e.state = "baseline";
      e.installed_on = r.installed_on;
      versioned.push_back({*snap.baseline, std::move(e)});
    }
  }
  std::stable_sort(versioned.begin(), versioned.end(),
                   [](const Keyed& a, const Keyed& b) { return a.v < b.v; });
  for (Keyed& k : versioned) snap.entries.push_back(std::move(k.e));
  for (const MigrationScript& s : dir_->repeatable) {
    Entry e;
    e.description = s.description;
    e.type = "repeatable";
    e.script = s.name;
    auto it = repeatable_applied.find(s.name);
    if (interrupted != nullptr && !interrupted->version && interrupted->script == s.name) {
      e.state = "interrupted";
    } else if (it == repeatable_applied.end()) {
      e.state = "pending";
    } else {
      e.installed_on = it->second->installed_on;
      e.state = it->second->checksum == s.checksum ? "applied" : "outdated";
    }
    snap.entries.push_back(std::move(e));
  }
  if (interrupted != nullptr) {
    const MigrationScript* s = ScriptOfRow(*dir_, *interrupted);
    if (s == nullptr || s->checksum != interrupted->checksum) {
      snap.problems.push_back(
          {"interrupted", interrupted->script, s == nullptr ? "" : s->path,
           "\"" + (s == nullptr ? interrupted->script : s->path) + "\" stopped after " +
               Plural(interrupted->statements_applied, "statement") + " and " +
               (s == nullptr ? "its file is missing" : "was changed since") +
               "; finish or undo its statements by hand, then run `dbarch migrate repair`"});
    }
  }
  return snap;
}

Result<std::vector<Step>> Runner::PlanUp(const Snapshot& snap,
                                         const std::optional<Version>& target) {
  if (!snap.problems.empty()) return ProblemStatus(snap.problems.front());
  std::vector<Step> steps;
  const HistoryRow* interrupted = Interrupted(snap);
  if (interrupted != nullptr) {
    if (interrupted->type != "SQL") {
      return Status::InvalidArgument("the undo \"" + interrupted->script +
                                     "\" was interrupted; run `dbarch migrate down` to finish "
                                     "it, or `dbarch migrate repair`");
    }
    Step s;
    s.script = ScriptOfRow(*dir_, *interrupted);
    s.action = interrupted->version ? Step::Action::kApply : Step::Action::kReapply;
    if (interrupted->version) s.version = *Version::Parse(*interrupted->version);
    s.resume_rank = interrupted->installed_rank;
    s.resume_from = interrupted->statements_applied;
    steps.push_back(std::move(s));
  }
  for (const Migration& m : dir_->versioned) {
    if (target && m.version > *target) break;
    auto it = std::find_if(snap.entries.begin(), snap.entries.end(), [&](const Entry& e) {
      return e.type == "versioned" && e.script == m.up.name;
    });
    if (it == snap.entries.end()) continue;
    if (it->state == "pending" || (it->state == "out-of-order" && options_.out_of_order)) {
      steps.push_back(Step{Step::Action::kApply, &m.up, m.version, 0, 0});
    }
  }
  for (const MigrationScript& r : dir_->repeatable) {
    auto it = std::find_if(snap.entries.begin(), snap.entries.end(), [&](const Entry& e) {
      return e.type == "repeatable" && e.script == r.name;
    });
    if (it != snap.entries.end() && (it->state == "pending" || it->state == "outdated")) {
      steps.push_back(Step{Step::Action::kReapply, &r, std::nullopt, 0, 0});
    }
  }
  return steps;
}

Result<std::vector<Step>> Runner::PlanDown(const Snapshot& snap, const std::optional<Version>& to,
                                           int steps_wanted) {
  if (!snap.problems.empty()) return ProblemStatus(snap.problems.front());
  std::vector<Step> steps;
  const HistoryRow* interrupted = Interrupted(snap);
  if (interrupted != nullptr) {
    if (interrupted->type != "UNDO_SQL") {
      return Status::InvalidArgument("\"" + interrupted->script +
                                     "\" was interrupted; run `dbarch migrate up` to finish "
                                     "it, or `dbarch migrate repair`");
    }
    Step s;
    s.action = Step::Action::kUndo;
    s.script = ScriptOfRow(*dir_, *interrupted);
    s.version = *Version::Parse(*interrupted->version);
    s.resume_rank = interrupted->installed_rank;
    s.resume_from = interrupted->statements_applied;
    steps.push_back(std::move(s));
  }
  for (auto it = dir_->versioned.rbegin(); it != dir_->versioned.rend(); ++it) {
    const Migration& m = *it;
    if (to && m.version <= *to) break;
    if (!to && static_cast<int>(steps.size()) >= steps_wanted) break;
    auto e = std::find_if(snap.entries.begin(), snap.entries.end(), [&](const Entry& x) {
      return x.type == "versioned" && x.script == m.up.name;
    });
    if (e == snap.entries.end() || e->state != "applied") continue;
    if (!m.down) {
      return Status::InvalidArgument("\"" + m.up.path + "\" has no undo script")
          .WithHint("add U" + m.version.text() + "__<description>.sql (or a .down.sql pair)");
    }
    steps.push_back(Step{Step::Action::kUndo, &*m.down, m.version, 0, 0});
  }
  return steps;
}

Status Runner::Apply(const std::vector<Step>& steps) {
  if (steps.empty()) return Status::OK();
  DBARCH_RETURN_IF_ERROR(EnsureTable());
  for (const Step& step : steps) DBARCH_RETURN_IF_ERROR(ApplyOne(step));
  return Status::OK();
}

Status Runner::ApplyOne(const Step& step) {
  const MigrationScript& script = *step.script;
  DBARCH_ASSIGN_OR_RETURN(PreparedScript prepared, PrepareScript(script, options_.variables));
  const char* type = step.action == Step::Action::kUndo ? "UNDO_SQL" : "SQL";
  std::optional<std::string> version;
  if (step.version) version = step.version->text();
  const auto started = std::chrono::steady_clock::now();
  auto elapsed_ms = [&]() {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count());
  };
  const std::string verb = step.action == Step::Action::kUndo ? "undoing " : "applying ";

  // The error of statement `st`, placed in its file, and what was kept.
  auto statement_error = [&](const ScriptStatement& st, const Status& error,
                             const std::string& kept) {
    uint32_t at = st.begin;
    if (error.span() && error.span()->file.empty()) at = st.begin + error.span()->begin;
    // The span names the file; the message is the server's, without the variables' values.
    std::string message = RedactVariables(error.message(), options_.variables);
    Status out = error.code() == StatusCode::kConnection ? Status::Connection(message)
                                                         : Status::InvalidArgument(message);
    return std::move(out).WithSpan(st.file->Span(at, at)).WithHint(kept);
  };

  if (prepared.transactional && step.resume_rank == 0) {
    Progress(verb + script.name);
    DBARCH_RETURN_IF_ERROR(conn_->ExecScript("BEGIN"));
    for (const ScriptStatement& st : prepared.statements) {
      Result<pg::QueryResult> r = conn_->Exec(st.sql);
      if (!r.ok()) {
        (void)conn_->ExecScript("ROLLBACK");
        (void)RestoreSession();
        return statement_error(st, r.status(),
                               "nothing of this file was applied: its transaction was rolled back");
      }
    }
    Result<pg::QueryResult> row = conn_->ExecParams(
        "INSERT INTO " + table_sql_ +
            " (installed_rank, version, description, type, script, checksum, installed_by, "
            "execution_time, success, statements_applied) SELECT coalesce(max(installed_rank), "
            "0) + 1, $1, $2, $3, $4, $5, current_user, $6, true, $7 FROM " +
            table_sql_,
        {version, script.description, std::string(type), script.name, script.checksum, elapsed_ms(),
         std::to_string(prepared.statements.size())});
    if (!row.ok()) {
      (void)conn_->ExecScript("ROLLBACK");
      return std::move(row).status().WithContext("recording " + script.name);
    }
    DBARCH_RETURN_IF_ERROR(conn_->ExecScript("COMMIT"));
    return RestoreSession();
  }

  // Statement by statement, with progress recorded in the history row.
  int64_t rank = step.resume_rank;
  if (rank == 0) {
    Progress(verb + script.name + " statement by statement (" + prepared.reason + ")");
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult inserted,
        conn_->ExecParams(
            "INSERT INTO " + table_sql_ +
                " (installed_rank, version, description, type, script, checksum, "
                "installed_by, execution_time, success, statements_applied) SELECT "
                "coalesce(max(installed_rank), 0) + 1, $1, $2, $3, $4, $5, "
                "current_user, 0, false, 0 FROM " +
                table_sql_ + " RETURNING installed_rank",
            {version, script.description, std::string(type), script.name, script.checksum}));
    rank = inserted.GetInt(0, 0);
  } else {
    Progress("resuming " + script.name + " after statement " + std::to_string(step.resume_from));
  }
  const std::string progress_sql =
      "UPDATE " + table_sql_ + " SET statements_applied = $1 WHERE installed_rank = $2";
  const size_t n = prepared.statements.size();
  for (size_t i = static_cast<size_t>(step.resume_from); i < n; ++i) {
    const ScriptStatement& st = prepared.statements[i];
    const std::string kept = "statements 1-" + std::to_string(i) + " of " + std::to_string(n) +
                             " are applied and recorded; fix the statement and run again to "
                             "resume after them, or run `dbarch migrate repair`";
    const std::vector<std::optional<std::string>> params = {std::to_string(i + 1),
                                                            std::to_string(rank)};
    if (st.needs_autocommit) {
      bool done = false;
      if (step.resume_rank != 0 && static_cast<int64_t>(i) == step.resume_from &&
          !st.concurrent_index.empty()) {
        DBARCH_ASSIGN_OR_RETURN(done, ResumeIndexBuild(st.concurrent_index));
      }
      if (!done) {
        Result<pg::QueryResult> r = conn_->Exec(st.sql);
        if (!r.ok()) return statement_error(st, r.status(), kept);
      }
      DBARCH_RETURN_IF_ERROR(conn_->ExecParams(progress_sql, params).status());
    } else {
      DBARCH_RETURN_IF_ERROR(conn_->ExecScript("BEGIN"));
      Result<pg::QueryResult> r = conn_->Exec(st.sql);
      if (!r.ok()) {
        (void)conn_->ExecScript("ROLLBACK");
        return statement_error(st, r.status(), kept);
      }
      Result<pg::QueryResult> p = conn_->ExecParams(progress_sql, params);
      if (!p.ok()) {
        (void)conn_->ExecScript("ROLLBACK");
        return p.status();
      }
      DBARCH_RETURN_IF_ERROR(conn_->ExecScript("COMMIT"));
    }
  }
  DBARCH_RETURN_IF_ERROR(
      conn_
          ->ExecParams("UPDATE " + table_sql_ +
                           " SET success = true, execution_time = execution_time + $1, "
                           "installed_on = now() WHERE installed_rank = $2",
                       {elapsed_ms(), std::to_string(rank)})
          .status());
  return RestoreSession();
}

Result<bool> Runner::ResumeIndexBuild(const std::string& index_sql) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult index,
      conn_->ExecParams("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)",
                        {index_sql}));
  if (index.rows() == 0) return false;
  if (index.GetBool(0, 0)) {
    Progress("index " + index_sql + " was built by the interrupted run; not building it again");
    return true;
  }
  Progress("dropping the invalid index " + index_sql + " left by the interrupted build");
  DBARCH_RETURN_IF_ERROR(conn_->ExecScript("DROP INDEX CONCURRENTLY IF EXISTS " + index_sql));
  return false;
}

Status Runner::Baseline(const Version& version, const std::string& description) {
  DBARCH_RETURN_IF_ERROR(EnsureTable());
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult count, conn_->Exec("SELECT count(*) FROM " + table_sql_));
  if (count.GetInt(0, 0) != 0) {
    return Status::InvalidArgument("cannot baseline: the history table " + options_.history_table +
                                   " already has " + Plural(count.GetInt(0, 0), "row"));
  }
  return conn_
      ->ExecParams("INSERT INTO " + table_sql_ +
                       " (installed_rank, version, description, type, script, checksum, "
                       "installed_by, execution_time, success) VALUES (1, $1, $2, 'BASELINE', $2, "
                       "NULL, current_user, 0, true)",
                   {version.text(), description})
      .status();
}

Result<std::vector<std::string>> Runner::Repair() {
  std::vector<std::string> done;
  DBARCH_ASSIGN_OR_RETURN(Snapshot snap, Inspect());
  if (!snap.table_exists) return done;
  DBARCH_RETURN_IF_ERROR(conn_->ExecScript("BEGIN"));
  auto fail = [&](Status s) {
    (void)conn_->ExecScript("ROLLBACK");
    return s;
  };
  for (const HistoryRow& r : snap.history) {
    if (r.success) continue;
    Status st = conn_
                    ->ExecParams("DELETE FROM " + table_sql_ + " WHERE installed_rank = $1",
                                 {std::to_string(r.installed_rank)})
                    .status();
    if (!st.ok()) return fail(st);
    done.push_back("removed the row of the interrupted run of " + r.script + " (" +
                   Plural(r.statements_applied, "statement") + " had been applied)");
  }
  // The latest successful row of every version that is applied now.
  std::map<Version, const HistoryRow*> applied;
  for (const HistoryRow& r : snap.history) {
    if (!r.success || !r.version || r.type == "BASELINE") continue;
    Result<Version> v = Version::Parse(*r.version);
    if (!v.ok()) continue;
    if (r.type == "SQL") {
      applied[*v] = &r;
    } else {
      applied.erase(*v);
    }
  }
  for (const auto& [v, row] : applied) {
    if (snap.baseline && v <= *snap.baseline) continue;
    const Migration* m = FindMigration(*dir_, v);
    Status st;
    if (m == nullptr) {
      st = conn_
               ->ExecParams("INSERT INTO " + table_sql_ +
                                " (installed_rank, version, description, type, script, "
                                "checksum, installed_by, execution_time, success) SELECT "
                                "coalesce(max(installed_rank), 0) + 1, $1, $2, 'DELETE', $3, "
                                "NULL, current_user, 0, true FROM " +
                                table_sql_,
                            {*row->version, row->description, row->script})
               .status();
      done.push_back("marked " + row->script + " as deleted (its file is missing)");
    } else if (row->checksum != m->up.checksum || row->description != m->up.description ||
               row->script != m->up.name) {
      st = conn_
               ->ExecParams("UPDATE " + table_sql_ +
                                " SET checksum = $1, description = $2, script = $3 WHERE "
                                "installed_rank = $4",
                            {m->up.checksum, m->up.description, m->up.name,
                             std::to_string(row->installed_rank)})
               .status();
      done.push_back("realigned the checksum and description of " + m->up.name);
    }
    if (!st.ok()) return fail(st);
  }
  DBARCH_RETURN_IF_ERROR(conn_->ExecScript("COMMIT"));
  return done;
}

}  // namespace dbarch::migrate
