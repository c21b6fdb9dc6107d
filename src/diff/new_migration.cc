#include "diff/new_migration.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/strings.h"
#include "catalog/builder.h"
#include "diff/format.h"
#include "diff/online.h"
#include "diff/pipeline.h"
#include "diff/renames.h"
#include "migrate/migration_files.h"
#include "migrate/next_migration.h"

namespace dbarch::diff {
namespace {

// Writes `text` to a new file; kInvalidArgument when it exists (never overwritten).
Status WriteNew(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return Status::InvalidArgument("\"" + path + "\" already exists");
    return Status::IOError("cannot create \"" + path + "\": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return Status::IOError("writing \"" + path + "\": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return Status::IOError("writing \"" + path + "\": " + std::strerror(errno));
  return Status::OK();
}

// The schema the folder's migrations give: versioned up scripts in version order, then the
// repeatables.
Result<catalog::Catalog> ReplayFolder(const migrate::MigrationDir& dir,
                                      const NewMigrationRequest& request) {
  std::vector<std::string> paths;
  for (const migrate::Migration& m : dir.versioned) paths.push_back(m.up.path);
  for (const migrate::MigrationScript& r : dir.repeatable) paths.push_back(r.path);
  catalog::BuildOptions build;
  build.on_note = request.on_note;
  if (paths.empty()) return catalog::CatalogBuilder(build).Finish();
  return catalog::BuildCatalogFromPaths(paths, build);
}

std::string Header(const std::string& what, const NewMigrationRequest& request) {
  return "-- " + what + " written by `dbarch migrate new` from a diff of " +
         (request.dsn.empty() ? std::string("the folder's migrations") : "the database") +
         " against the desired schema\n";
}

// One file of an online migration: steps that run together, and the steps that undo them.
struct OnlineFile {
  size_t phase = 0;
  bool transactional = true;
  std::vector<const OnlineStep*> steps;
  std::vector<const OnlineStep*> undo;
};

// The files of an online plan: per phase, its steps cut into runs of steps that can run in
// a transaction and of steps that cannot; each rollback step goes with the run of the step it
// undoes ("undo: <what>" on the same object), or with the phase's first run. Phases without
// a statement (the switch: a deploy) write no file.
std::vector<OnlineFile> CutOnlinePlan(const OnlinePlan& plan) {
  std::vector<OnlineFile> out;
  for (size_t p = 0; p < plan.phases.size(); ++p) {
    const OnlinePhase& phase = plan.phases[p];
    size_t first = out.size();
    std::vector<size_t> run_of(phase.steps.size(), 0);
    for (size_t i = 0; i < phase.steps.size(); ++i) {
      const OnlineStep& s = phase.steps[i];
      if (s.sql.empty()) continue;
      if (out.size() == first || out.back().transactional != s.in_transaction) {
        OnlineFile f;
        f.phase = p;
        f.transactional = s.in_transaction;
        out.push_back(std::move(f));
      }
      out.back().steps.push_back(&s);
      run_of[i] = out.size() - 1;
    }
    if (out.size() == first) continue;
    for (const OnlineStep& r : phase.rollback) {
      if (r.sql.empty()) continue;
      size_t run = first;
      for (size_t i = 0; i < phase.steps.size(); ++i) {
        const OnlineStep& s = phase.steps[i];
        if (!s.sql.empty() && s.object == r.object && r.what == "undo: " + s.what) {
          run = run_of[i];
          break;
        }
      }
      out[run].undo.push_back(&r);
    }
  }
  return out;
}

// The statements of `steps` as a migration file body: the timeouts first (the runner restores
// its own after the file), no statement_timeout around long-running steps, no BEGIN / COMMIT
// (the runner owns the transaction).
std::string StepsSql(const std::vector<const OnlineStep*>& steps, const OnlineOptions& options) {
  if (steps.empty()) return "-- nothing to undo: the steps of this file have no rollback\n";
  std::string out = "SET lock_timeout = " + QuoteLiteral(options.lock_timeout) + ";\n" +
                    "SET statement_timeout = " + QuoteLiteral(options.statement_timeout) + ";\n";
  for (const OnlineStep* s : steps) {
    out += "-- " + s->what + (s->lock.empty() ? "" : " (lock " + s->lock + ")") + "\n";
    if (!s->note.empty()) out += "-- " + s->note + "\n";
    if (!s->psql_variable.empty()) {
      // Unguarded, as FormatSql(require_variables) writes it: `migrate up` without the value
      // stops before anything of the file runs.
      const std::string& v = s->psql_variable;
      out += "-- " + s->object +
             ": the secret is not copied into this file; give it to the runner with --var " + v +
             "=..., a --var-file line or DBARCH_VAR_" + v + " (psql: -v " + v + "=...)\n";
    }
    if (s->long_running) out += "SET statement_timeout = 0;\n";
    for (const std::string& stmt : s->sql) out += stmt + ";\n";
    if (s->long_running) {
      out += "SET statement_timeout = " + QuoteLiteral(options.statement_timeout) + ";\n";
    }
  }
  return out;
}

// Writes the online form of the migration: see NewMigrationRequest::online.
Status WriteOnline(const NewMigrationRequest& request, const migrate::MigrationDir& dir,
                   const OnlinePlan& plan, NewMigrationResult& out) {
  std::vector<OnlineFile> files = CutOnlinePlan(plan);
  if (files.empty()) return Status::OK();
  std::vector<std::string> descriptions;
  for (size_t i = 0; i < files.size(); ++i) {
    const OnlinePhase& phase = plan.phases[files[i].phase];
    descriptions.push_back(files.size() == 1
                               ? request.name
                               : request.name + "_" + std::to_string(i + 1) + "_" + phase.name);
  }
  DBARCH_ASSIGN_OR_RETURN(std::vector<migrate::NextMigration> names,
                          migrate::NextMigrationSeries(dir, descriptions));
  for (size_t i = 0; i < files.size(); ++i) {
    const OnlineFile& f = files[i];
    const OnlinePhase& phase = plan.phases[f.phase];
    std::string head = "-- online phase " + std::to_string(f.phase + 1) + " of " +
                       std::to_string(plan.phases.size()) + " (" + phase.name + "), file " +
                       std::to_string(i + 1) + " of " + std::to_string(files.size()) + ": " +
                       phase.purpose + "\n";
    if (f.phase > 0 && plan.phases[f.phase - 1].steps.size() > 0 &&
        plan.phases[f.phase - 1].name == "switch" && (i == 0 || files[i - 1].phase != f.phase)) {
      head += "-- apply only after the deploy of the switch phase: " +
              plan.phases[f.phase - 1].purpose + "\n";
    }
    if (!f.transactional) {
      head +=
          "-- holds statements that cannot run in a transaction: `dbarch migrate up` "
          "applies this file statement by statement\n";
    }
    WrittenMigration w;
    w.version = names[i].version;
    w.up_path = request.dir + "/" + names[i].up_name;
    w.down_path = request.dir + "/" + names[i].down_name;
    w.phase = phase.name;
    w.transactional = f.transactional;
    DBARCH_RETURN_IF_ERROR(
        WriteNew(w.up_path, Header("up", request) + head + StepsSql(f.steps, plan.options)));
    Status down = WriteNew(w.down_path, Header("down", request) + "-- undoes " + names[i].up_name +
                                            "\n" + StepsSql(f.undo, plan.options));
    if (!down.ok()) {
      unlink(w.up_path.c_str());
      return down;
    }
    out.files.push_back(std::move(w));
  }
  out.version = out.files.front().version;
  out.up_path = out.files.front().up_path;
  out.down_path = out.files.front().down_path;
  out.written = true;
  return Status::OK();
}

}  // namespace

Result<NewMigrationResult> NewMigration(const NewMigrationRequest& request) {
  DBARCH_ASSIGN_OR_RETURN(migrate::MigrationDir dir, migrate::LoadMigrationDir(request.dir));
  DBARCH_ASSIGN_OR_RETURN(migrate::NextMigration next,
                          migrate::NextMigrationNames(dir, request.name));
  catalog::Catalog current;
  if (!request.dsn.empty()) {
    DBARCH_ASSIGN_OR_RETURN(LoadedSchema db, LoadSchema(request.dsn, true, request.on_note));
    current = std::move(db.catalog);
    // The runner's own table is not part of the schema the migrations describe.
    std::string table = request.history_table;
    std::string schema;
    size_t dot = table.find('.');
    if (dot != std::string::npos) {
      schema = table.substr(0, dot);
      table = table.substr(dot + 1);
    }
    for (auto it = current.tables.begin(); it != current.tables.end();) {
      bool history = it->first.name == table && (schema.empty() || it->first.schema == schema);
      it = history ? current.tables.erase(it) : std::next(it);
    }
  } else {
    DBARCH_ASSIGN_OR_RETURN(current, ReplayFolder(dir, request));
  }
  DBARCH_ASSIGN_OR_RETURN(LoadedSchema target,
                          LoadSchema(request.target, request.target_is_dsn, request.on_note));
  DBARCH_RETURN_IF_ERROR(CheckRenames(current, target.catalog, target.renames));
  DiffOptions options;
  options.allow_destructive = request.allow_destructive;
  options.renames = target.renames;
  NewMigrationResult out;
  out.version = next.version;
  out.up = Diff(current, target.catalog, options);
  DiffOptions back = ReverseOptions(options, current, target.catalog);
  back.allow_destructive = true;
  out.down = Diff(target.catalog, current, back);
  if (out.up.HasRefused()) {
    std::string list;
    for (const Change& c : out.up.changes) {
      if (c.refused) {
        list += (list.empty() ? " " : "; ") + std::string(ActionName(c.action)) + " " +
                catalog::ObjectKindName(c.kind) + " " + c.object + " would lose " + c.data_loss;
      }
    }
    Status st = Status::InvalidArgument(
        "the migration has destructive steps; nothing was written (use --allow-destructive to "
        "write them):" +
        list);
    return st;
  }
  if (!out.up.HasChanges()) return out;
  if (request.online) {
    OnlinePlan plan = MakeOnlinePlan(current, target.catalog, out.up, request.online_options);
    out.online_warnings = plan.warnings;
    DBARCH_RETURN_IF_ERROR(WriteOnline(request, dir, plan, out));
    return out;
  }
  out.up_path = request.dir + "/" + next.up_name;
  out.down_path = request.dir + "/" + next.down_name;
  DBARCH_RETURN_IF_ERROR(WriteNew(out.up_path, Header("up", request) + FormatSql(out.up, true)));
  Status down = WriteNew(out.down_path, Header("down", request) + FormatSql(out.down, true));
  if (!down.ok()) {
    unlink(out.up_path.c_str());
    return down;
  }
  out.written = true;
  out.files.push_back(WrittenMigration{out.version, out.up_path, out.down_path, "", true});
  return out;
}

}  // namespace dbarch::diff
