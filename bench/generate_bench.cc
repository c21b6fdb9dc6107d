// Data generation speed, side by side with PostgreSQL's own ceiling, in one run on one
// machine. For a narrow (5-column) and a wide (20-column) table, each with an identity
// primary key:
//   generate  — rows/s of dbarch's generator alone (COPY text into memory, no server);
//   load      — rows/s of `dbarch generate` into a sandbox end to end (datagen::LoadIntoServer:
//               generation, COPY, ANALYZE);
//   ceiling   — rows/s of a plain COPY FROM STDIN of the same bytes, pre-made in memory, into
//               the same empty table (what the server can take; the bound to approach).
// Then the phases of the load (seconds): generating rows (the calling thread, net of waits),
// waiting on the COPY (a blocked send or a full queue, and the end of the COPY), building keys
// and foreign keys after the load, ANALYZE.
// CPU seconds of the server backend and of this process (all threads) during the load and
// the ceiling ("s/c") show the work each side does, which a shared machine's wall clock hides.
// Each table gets ROUNDS rounds of (load, ceiling) back to back, one line each, then a line
// with the best of each over the rounds.
// Usage: dbarch_generate_bench [ROWS] [--rounds N] [--serial]   (default 2,000,000 rows, 2
// rounds). --serial loads the earlier way, for comparison: generation and COPY on one thread,
// keys maintained during the COPY. Run on an idle machine.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

#include "catalog/builder.h"
#include "datagen/generator.h"
#include "datagen/load.h"
#include "datagen/plan.h"
#include "pg/connection.h"
#include "sandbox/sandbox.h"

namespace {

using namespace dbarch;

constexpr const char* kNarrow =
    "CREATE TABLE narrow (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id integer NOT NULL, "
    "amount numeric(10,2) NOT NULL, status text NOT NULL CHECK (status IN ('new','paid','shipped')), "
    "created_at timestamptz NOT NULL);";
constexpr const char* kWide =
    "CREATE TABLE wide (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, c1 integer NOT NULL, c2 bigint, "
    "c3 smallint, c4 numeric(12,2) NOT NULL, c5 numeric(6,3), c6 double precision, c7 text NOT NULL, "
    "email varchar(200), full_name text, city varchar(80), country char(2), c11 boolean NOT NULL, "
    "c12 date, created_at timestamptz NOT NULL, updated_at timestamp, c15 uuid, c16 jsonb, "
    "notes text, quantity integer CHECK (quantity BETWEEN 1 AND 100));";

class MemorySink : public datagen::RowSink {
 public:
  Status Begin(const datagen::TablePlan&, const std::string& columns) override {
    columns_ = columns;
    return Status::OK();
  }
  Status Write(std::string_view text) override {
    data_.append(text);
    return Status::OK();
  }
  Result<int64_t> End() override { return int64_t{0}; }
  Status Finish(const std::vector<std::string>&) override { return Status::OK(); }
  std::string data_;
  std::string columns_;
};

// CPU seconds (user + system) of this process, all threads.
double ClientCpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of a server backend, from /proc/<pid>/stat (utime and stime, fields 14 and 15);
// 0 when it cannot be read.
double ServerCpu(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int k = 3; k <= 15 && fields >> field; ++k) {
    if (k >= 14) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int Fail(const Status& st) {
  std::fprintf(stderr, "generate_bench: %s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 2000000;
  int rounds = 2;
  datagen::LoadOptions load_options;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg == "--serial") {
      load_options.pipelined = false;
      load_options.keys_after = false;
    } else if (arg == "--rounds" && a + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++a]));
    } else {
      rows = std::atoll(arg.c_str());
    }
  }
  auto box = sandbox::Sandbox::Start(sandbox::SandboxOptions{});
  if (!box.ok()) return Fail(box.status());
  std::printf("%-11s %9s %12s %10s %11s %9s %6s %6s %6s %6s %14s %14s\n", "table", "rows", "generate r/s",
              "load r/s", "ceiling r/s", "load/ceil", "gen s", "copy s", "keys s", "anlz s",
              "load cpu s/c", "ceil cpu s/c");
  for (const auto& [name, ddl] : std::map<std::string, std::string>{{"narrow", kNarrow}, {"wide", kWide}}) {
    catalog::CatalogBuilder builder;
    Status applied = builder.ApplyFile(SourceFile(name + ".sql", ddl));
    if (!applied.ok()) return Fail(applied);
    catalog::Catalog cat = builder.Finish();
    datagen::Spec spec;
    spec.default_rows = rows;
    auto plan = datagen::BuildPlan(cat, spec);
    if (!plan.ok()) return Fail(plan.status());

    // Generation alone.
    MemorySink memory;
    auto t0 = std::chrono::steady_clock::now();
    auto gen = datagen::Generate(*plan, memory);
    if (!gen.ok()) return Fail(gen.status());
    double gen_s = Seconds(t0);

    std::string db = "bench_" + name;
    Status created = (*box)->CreateDatabase(db);
    if (!created.ok()) return Fail(created);
    pg::ConnectOptions options;
    options.conninfo = (*box)->ConnInfo() + " dbname=" + db;
    options.read_only = false;
    options.statement_timeout_ms = 0;
    auto conn = pg::Connection::Open(options);
    if (!conn.ok()) return Fail(conn.status());
    Status made = conn->ExecScript(ddl);
    if (!made.ok()) return Fail(made);
    auto backend = conn->Exec("SELECT pg_backend_pid()");
    if (!backend.ok()) return Fail(backend.status());
    int pid = static_cast<int>(backend->GetInt(0, 0));

    // Rounds of (load, ceiling), back to back, each from an empty table after a checkpoint:
    // on a shared machine the pair in one round sees about the same load, and the best of
    // each over the rounds is the least disturbed figure.
    double best_load_s = 0, best_copy_s = 0;
    for (int round = 1; round <= rounds; ++round) {
      // End to end.
      Status st = conn->ExecScript("TRUNCATE " + name + "; CHECKPOINT");
      if (!st.ok()) return Fail(st);
      t0 = std::chrono::steady_clock::now();
      double client0 = ClientCpu(), server0 = ServerCpu(pid);
      auto load = datagen::LoadIntoServer(*conn, *plan, nullptr, load_options);
      if (!load.ok()) return Fail(load.status());
      double load_s = Seconds(t0);
      double load_client = ClientCpu() - client0, load_server = ServerCpu(pid) - server0;

      // The ceiling: the same bytes through COPY, nothing else; the best case for COPY, as
      // the load gets it: truncated in the same transaction (no WAL under
      // wal_level=minimal), frozen rows.
      st = conn->ExecScript("CHECKPOINT");
      if (!st.ok()) return Fail(st);
      t0 = std::chrono::steady_clock::now();
      client0 = ClientCpu();
      server0 = ServerCpu(pid);
      st = conn->ExecScript("BEGIN; TRUNCATE " + name);
      if (st.ok()) st = conn->BeginCopyIn("COPY " + name + " (" + memory.columns_ + ") FROM STDIN WITH (FREEZE)");
      for (size_t at = 0; st.ok() && at < memory.data_.size(); at += 1 << 20) {
        st = conn->PutCopyData(std::string_view(memory.data_).substr(at, 1 << 20));
      }
      if (st.ok()) {
        auto end = conn->EndCopyIn();
        st = end.status();
      }
      if (st.ok()) st = conn->ExecScript("COMMIT; ANALYZE " + name);
      if (!st.ok()) return Fail(st);
      double copy_s = Seconds(t0);
      double copy_client = ClientCpu() - client0, copy_server = ServerCpu(pid) - server0;
      const datagen::GenerateStats& phases = *load;
      double wait_s = phases.sink_seconds + phases.keys_seconds + phases.analyze_seconds;
      std::string label = name + "#" + std::to_string(round);
      std::printf("%-11s %9lld %12.0f %10.0f %11.0f %9.2f %6.2f %6.2f %6.2f %6.2f %7.2f/%6.2f %7.2f/%6.2f\n",
                  label.c_str(), static_cast<long long>(rows), rows / gen_s, rows / load_s,
                  rows / copy_s, copy_s / load_s, load_s - wait_s, phases.sink_seconds,
                  phases.keys_seconds, phases.analyze_seconds, load_server, load_client, copy_server,
                  copy_client);
      if (best_load_s == 0 || load_s < best_load_s) best_load_s = load_s;
      if (best_copy_s == 0 || copy_s < best_copy_s) best_copy_s = copy_s;
    }
    std::string label = name + " best";
    std::printf("%-11s %9lld %12.0f %10.0f %11.0f %9.2f\n", label.c_str(), static_cast<long long>(rows),
                rows / gen_s, rows / best_load_s, rows / best_copy_s, best_copy_s / best_load_s);
  }
  return 0;
}
