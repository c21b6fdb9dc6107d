// TPC-H index selection with advisor/ (what-if costs from HypoPG, Extend-style greedy
// search), side by side with the published Extend results in
// /work/shared/bench/tpch/README.md.
//
// Starts a sandbox (shared_buffers=1GB, work_mem=64MB, the README's settings), loads scale
// factor 0.1 with the README's load.sh, then for budgets 20, 50, 100 and 150 MB runs the
// search on the 19 scored queries (all but q02, q17, q20; q15's view is created and dropped
// around each EXPLAIN) and prints one row per budget. Each budget gets a fresh what-if
// session, so "what-if calls" counts that run's EXPLAINs as the reference does.
//
// Usage: advise_tpch [--tpch DIR] [--width N] [--any-column] [--all-kinds] [--size-model]
//                   [--lazy F] [--verbose]
//                   [--compare]
//        advise_tpch --advise [--repeat N] [--compare] [--lazy F] [--no-cover-filter]
//                   [--tpch DIR]
//   --width N      widest index (default 2, as in the reference results)
//   --all-kinds    also partial, expression, GIN (built for real in the sandbox) and BRIN
//                  candidates; by default only B-tree keys on columns (ASC or DESC), as the
//                  reference's candidates
//   --any-column   widen with any indexable column of the table (original Extend) instead of
//                  only keys whose leading columns are equality-like (CandidateIndexes)
//   --size-model   budget in modelled sizes (advisor/size_model.h, what `dbarch advise`
//                  uses); by default HypoPG's, as the reference results were sized
//   --lazy F       SearchOptions::lazy_factor (default 2; 0: every step costed every round)
//   --verbose      print the chosen indexes and search steps
//   --compare      with the table: per budget also the search without the per-query lazy
//                  bounds, the retry's carried bounds and the lazy covering order
//                  (SearchOptions::lazy_per_query, carry_bounds, lazy_covering false:
//                  "dbarch before"), on the same sandbox
//   --advise       instead of the table: advisor::Advise() as `dbarch advise` runs it (all 22
//                  queries, budget 500 MB, width 3, every index kind, modelled sizes), N
//                  times (--repeat, default 3) on the same loaded sandbox; prints per run the
//                  search time, the time before the search (analysis, candidate sizing, GIN
//                  builds), the CPU time of this process and of the server backend (from
//                  /proc), the load average; --compare: "before" (without the per-query lazy
//                  bounds, carried retry bounds, lazy covering order) and "after" (the defaults)
//                  side by side on the same sandbox; what-if calls, estimated cost with the
//                  set, #indexes, MB
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "advisor/advise.h"
#include "advisor/candidates.h"
#include "advisor/search.h"
#include "advisor/whatif.h"
#include "base/strings.h"
#include "catalog/builder.h"
#include "pg/connection.h"
#include "pg/vacuum.h"
#include "sandbox/sandbox.h"
#include "workload/workload.h"

namespace dbarch {
namespace {

struct Reference {
  double budget_mb;
  int indexes;
  double size_mb;
  double relative_cost;
  int whatif_calls;
  double runtime_s;
};

// Extend, index width <= 2, from /work/shared/bench/tpch/README.md.
constexpr Reference kExtend[] = {
    {20, 3, 19.4, 0.765, 688, 0.6},
    {50, 7, 45.8, 0.652, 2165, 2.1},
    {100, 9, 96.8, 0.570, 3713, 3.7},
    {150, 10, 121.9, 0.561, 4276, 4.2},
};

// CPU seconds (user + system) of this process so far.
double ClientCpuS() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system) a process has used, from /proc/PID/stat (fields 14 and 15,
// in clock ticks): the server backend of the bench's connection, which plans the EXPLAINs
// and runs HypoPG. -1 when unreadable.
double ProcessCpuS(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  // The command name (field 2) is in parentheses and may hold spaces: count after it.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The 1-minute load average.
double LoadAverage() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

// Seconds from Advise()'s last step before its clock starts (creating the hypopg extension,
// after VACUUM) to the first "searching" progress message: the analysis, candidate sizing
// and GIN builds before the search; and the server backend's CPU seconds in that span.
class PhaseListener : public advisor::AdviseListener {
 public:
  explicit PhaseListener(long backend_pid) : backend_pid_(backend_pid) {}
  void OnProgress(const std::string& message) override {
    if (message.rfind("creating the hypopg", 0) == 0) {
      start_ = std::chrono::steady_clock::now();
      server_start_s_ = ProcessCpuS(backend_pid_);
    }
    if (message.rfind("searching", 0) == 0 && prepare_s_ < 0) {
      prepare_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      prepare_server_s_ = ProcessCpuS(backend_pid_) - server_start_s_;
    }
  }
  double prepare_s() const { return prepare_s_; }
  double prepare_server_s() const { return prepare_server_s_; }

 private:
  long backend_pid_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double server_start_s_ = 0;
  double prepare_s_ = -1;
  double prepare_server_s_ = -1;
};

int Fail(const std::string& what, const Status& st) {
  std::fprintf(stderr, "advise_tpch: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 1;
}

int Run(int argc, char** argv) {
  std::string tpch = std::string(DBARCH_SHARED_DIR) + "/bench/tpch";
  int width = 2;
  bool any_column = false;
  bool all_kinds = false;
  bool verbose = false;
  bool size_model = false;
  bool advise = false;
  int repeat = 3;
  double lazy = advisor::SearchOptions{}.lazy_factor;
  bool cover_filter = true;
  bool compare = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--tpch" && i + 1 < argc) {
      tpch = argv[++i];
    } else if (a == "--width" && i + 1 < argc) {
      width = std::atoi(argv[++i]);
    } else if (a == "--any-column") {
      any_column = true;
    } else if (a == "--all-kinds") {
      all_kinds = true;
    } else if (a == "--size-model") {
      size_model = true;
    } else if (a == "--verbose") {
      verbose = true;
    } else if (a == "--advise") {
      advise = true;
    } else if (a == "--repeat" && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (a == "--lazy" && i + 1 < argc) {
      lazy = std::atof(argv[++i]);
    } else if (a == "--compare") {
      compare = true;
    } else if (a == "--no-cover-filter") {
      cover_filter = false;
    } else {
      std::fprintf(stderr,
                   "usage: advise_tpch [--tpch DIR] [--width N] [--any-column] [--all-kinds] "
                   "[--size-model] [--lazy F] [--verbose]\n       advise_tpch --advise "
                   "[--repeat N] [--lazy F] [--no-cover-filter] [--tpch DIR]\n");
      return 2;
    }
  }

  auto catalog = catalog::BuildCatalogFromPaths({tpch + "/schema.sql"});
  if (!catalog.ok()) return Fail("schema", catalog.status());
  auto all = workload::LoadWorkload({tpch + "/queries"});
  if (!all.ok()) return Fail("queries", all.status());
  const std::set<std::string> excluded = {"q02", "q17", "q20"};
  std::vector<workload::Query> queries;
  for (const workload::Query& q : all->queries) {
    if (excluded.count(q.name) == 0) queries.push_back(q);
  }

  sandbox::InstallSignalCleanup();
  sandbox::SandboxOptions sb_options;
  sb_options.settings = {{"shared_buffers", "1GB"}, {"work_mem", "64MB"}};
  auto sb = sandbox::Sandbox::Start(sb_options);
  if (!sb.ok()) return Fail("sandbox", sb.status());
  const std::string conninfo = (*sb)->ConnInfo();

  auto t0 = std::chrono::steady_clock::now();
  std::string load = tpch + "/load.sh " + QuoteLiteral(conninfo);
  if (std::system(load.c_str()) != 0) {
    return Fail("load", Status::Internal("load.sh failed: " + load));
  }
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  pg::ConnectOptions copts;
  copts.conninfo = conninfo;
  copts.read_only = false;  // CREATE EXTENSION and q15's view (a sandbox)
  copts.statement_timeout_ms = 0;
  auto conn = pg::Connection::Open(copts);
  if (!conn.ok()) return Fail("connect", conn.status());
  // A production table is mostly all-visible (autovacuum has run since its rows were
  // written); right after load.sh it is not, and the planner then prices every index-only
  // scan as if it fetched the heap. VacuumLoaded sets the visibility map, as autovacuum
  // would (pg/vacuum.h: why the sandbox's asynchronous commits need more than one VACUUM).
  if (auto vacuumed = pg::VacuumLoaded(*conn, /*analyze=*/false); !vacuumed.ok()) {
    return Fail("vacuum", vacuumed.status());
  }
  auto settings = conn->Exec(
      "SELECT current_setting('shared_buffers'), current_setting('work_mem'), "
      "current_setting('fsync'), version()");
  if (!settings.ok()) return Fail("settings", settings.status());

  std::printf("TPC-H SF0.1 loaded in %.1f s; shared_buffers=%s work_mem=%s fsync=%s\n", load_s,
              std::string(settings->Get(0, 0)).c_str(), std::string(settings->Get(0, 1)).c_str(),
              std::string(settings->Get(0, 2)).c_str());
  std::printf("%s\n", std::string(settings->Get(0, 3)).c_str());

  if (advise) {
    auto backend = conn->Exec("SELECT pg_backend_pid()");
    if (!backend.ok()) return Fail("backend pid", backend.status());
    const long backend_pid = static_cast<long>(backend->GetInt(0, 0));
    std::printf("advisor::Advise on all %zu queries, budget 500 MB, width 3\n\n",
                all->queries.size());
    std::printf(
        "| search | lazy | cover pre-check | run | search s | before search s (server CPU s) | "
        "client CPU s | server CPU s | load | what-if calls | cost with set | rel. cost | #idx | "
        "MB |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    struct Config {
      std::string name;
      double lazy;
      bool cover_filter;
      bool per_query;  // SearchOptions::lazy_per_query, carry_bounds and lazy_covering
    };
    std::vector<Config> configs = {{"this", lazy, cover_filter, true}};
    if (compare) configs = {{"before", 2, true, false}, {"after", 2, true, true}};
    for (int run = 1; run <= repeat; ++run) {
      for (const Config& config : configs) {
        advisor::AdviseRequest request;
        request.target = &*conn;
        request.catalog = &*catalog;
        request.workload = &*all;
        request.options.lazy_factor = config.lazy;
        request.options.prefilter_covering = config.cover_filter;
        request.options.lazy_per_query = config.per_query;
        request.options.carry_bounds = config.per_query;
        request.options.lazy_covering = config.per_query;
        PhaseListener phases(backend_pid);
        const double client0 = ClientCpuS();
        const double server0 = ProcessCpuS(backend_pid);
        auto result = advisor::Advise(request, &phases);
        if (!result.ok()) return Fail("advise", result.status());
        // The whole call: includes the CHECKPOINT and VACUUM Advise() runs before its clock
        // starts (a few ms on the vacuumed SF0.1 tables).
        const double client_s = ClientCpuS() - client0;
        const double server_s = ProcessCpuS(backend_pid) - server0;
        int kept = 0;
        for (const advisor::AdviseIndex& idx : result->indexes) kept += idx.dropped ? 0 : 1;
        std::printf(
            "| %s | %g | %s | %d | %.2f | %.2f (%.2f) | %.2f | %.2f | %.1f | %lld | %.0f | %.7f | "
            "%d | "
            "%.1f |\n",
            config.name.c_str(), config.lazy, config.cover_filter ? "on" : "off", run,
            result->runtime_ms / 1000, phases.prepare_s(), phases.prepare_server_s(), client_s,
            server_s, LoadAverage(), static_cast<long long>(result->whatif_calls),
            result->cost_with, result->relative_cost, kept,
            static_cast<double>(result->total_size_bytes) / 1e6);
        if (verbose) {
          for (const advisor::AdviseIndex& idx : result->indexes) {
            std::fprintf(stderr, "    %s\n", idx.ddl.c_str());
          }
        }
        std::fflush(stdout);
      }
    }
    return 0;
  }

  // Per query: tables and candidates (offline: parse tree + catalog).
  struct Prepared {
    workload::Query query;
    advisor::QueryColumns columns;
    std::vector<advisor::IndexDef> candidates;
  };
  std::vector<Prepared> prepared;
  size_t candidate_count = 0;
  for (const workload::Query& q : queries) {
    auto cols = advisor::ExtractIndexableColumns(q, *catalog);
    if (!cols.ok()) return Fail("candidates", cols.status());
    Prepared p{q, std::move(*cols), {}};
    p.candidates = advisor::CandidateIndexes(p.columns, width);
    if (!all_kinds) {
      std::erase_if(p.candidates, [](const advisor::IndexDef& d) {
        return d.method != advisor::IndexMethod::kBtree || !d.predicate.empty() ||
               !d.include.empty() ||
               std::any_of(d.keys.begin(), d.keys.end(),
                           [](const advisor::IndexKey& k) { return k.IsExpression(); });
      });
    }
    candidate_count += p.candidates.size();
    prepared.push_back(std::move(p));
  }
  std::printf(
      "%zu queries (without q02, q17, q20), %zu candidates (per query, width <= %d), "
      "widening: %s\n\n",
      prepared.size(), candidate_count, width,
      any_column ? "any indexable column (original Extend)"
                 : "candidate keys only (equality-like leading columns)");

  std::printf(
      "| budget MB | algorithm | #idx | size MB | rel. cost | what-if calls | runtime s |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const Reference& ref : kExtend) {
    for (bool before : compare ? std::vector<bool>{true, false} : std::vector<bool>{false}) {
      auto start = std::chrono::steady_clock::now();
      advisor::WhatIfOptions whatif_options;
      whatif_options.build_unsimulated = all_kinds;  // the bench's own sandbox
      whatif_options.size_model = size_model;

      auto session = advisor::WhatIfSession::Open(*conn, whatif_options);
      if (!session.ok()) return Fail("what-if session", session.status());
      std::vector<advisor::SearchQuery> sq;
      for (const Prepared& p : prepared) {
        int id = session->AddQuery(p.query, p.columns.tables, p.columns.referenced);
        sq.push_back(advisor::SearchQuery{id, p.query.weight, p.candidates, p.columns.referenced});
      }
      advisor::SearchOptions options;
      options.budget_mb = ref.budget_mb;
      options.max_width = width;
      options.extend_with_any_column = any_column;
      options.lazy_factor = before ? 2 : lazy;
      options.lazy_per_query = !before;
      options.carry_bounds = !before;
      auto result = advisor::ExtendSearch(*session, sq, options);
      if (!result.ok()) return Fail("search", result.status());
      double runtime_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("| %.0f | dbarch%s | %zu | %.1f | %.3f | %lld | %.1f |\n", ref.budget_mb,
                  before ? " before" : "", result->indexes.size(),
                  static_cast<double>(result->total_size_bytes) / 1e6, result->relative_cost,
                  static_cast<long long>(result->whatif.explain_calls), runtime_s);
      if (verbose) {
        const advisor::WhatIfStats& s = result->whatif;
        std::fprintf(stderr,
                     "  budget %.0f: explain %lld (%.0f ms), cache hits %lld, sizes %lld, creates "
                     "%lld, drops %lld, resets %lld, index ms %.0f\n",
                     ref.budget_mb, static_cast<long long>(s.explain_calls), s.explain_ms,
                     static_cast<long long>(s.cost_cache_hits),
                     static_cast<long long>(s.size_calls), static_cast<long long>(s.index_creates),
                     static_cast<long long>(s.index_drops), static_cast<long long>(s.resets),
                     s.index_ms);
        for (const advisor::SearchStep& step : result->steps) {
          std::fprintf(stderr, "    %s %s%s -> cost %.0f, %.1f MB\n",
                       step.removed    ? "drop "
                       : step.replaced ? "widen"
                                       : "add  ",
                       step.added.Key().c_str(),
                       step.replaced ? (" (was " + step.replaced->Key() + ")").c_str() : "",
                       step.cost, static_cast<double>(step.size_bytes) / 1e6);
        }
      }
      Status closed = session->Close();
      if (!closed.ok()) return Fail("closing session", closed);
    }
    std::printf("| %.0f | Extend (reference) | %d | %.1f | %.3f | %d | %.1f |\n", ref.budget_mb,
                ref.indexes, ref.size_mb, ref.relative_cost, ref.whatif_calls, ref.runtime_s);
  }
  return 0;
}

}  // namespace
}  // namespace dbarch

int main(int argc, char** argv) { return dbarch::Run(argc, argv); }
