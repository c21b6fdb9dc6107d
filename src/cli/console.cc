#include "cli/console.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <system_error>

#include "catalog/builder.h"
#include "report/error_format.h"

namespace dbarch::cli {

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

void Progress(const std::string& message) {
  if (StderrIsTerminal()) std::cerr << "dbarch: " << message << std::endl;
}

void Warn(const std::string& message) { std::cerr << "dbarch: warning: " << message << "\n"; }

void ReportNote(const sql::ScriptNote& note) {
  std::cerr << note.span.file << ":" << note.span.line << ":" << note.span.column
            << ": note: " << note.message << "\n";
}

ExitCode ReportError(const Status& status, const SourceFile* file) {
  // The library keeps positions, not text: read the file again to show the line and caret.
  std::optional<SourceFile> reread;
  if (file == nullptr && status.span().has_value() && !status.span()->file.empty() &&
      status.span()->file[0] != '<') {
    auto source = catalog::ReadSourceFile(status.span()->file);
    if (source.ok()) {
      reread.emplace(std::move(source).value());
      file = &*reread;
    }
  }
  std::string text = report::FormatError(status, file);
  if (text.rfind("error: ", 0) == 0) text = "dbarch: " + text;
  std::cerr << text << std::flush;
  return ExitCodeFor(status);
}

ExitCode ReportUsageError(const std::string& message, const std::string& help_command) {
  std::cerr << "dbarch: error: " << message << "\n"
            << "run '" << help_command << "' for usage\n";
  return ExitCode::kUsage;
}

Status WriteResult(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    if (!std::cout) return Status::IOError("writing to standard output failed");
    return Status::OK();
  }
  // A path that exists and is not a regular file (/dev/null, /dev/stdout, a FIFO) is written
  // in place: renaming a temporary file over it would replace the device node itself.
  std::error_code status_ec;
  std::filesystem::file_status st = std::filesystem::status(path, status_ec);
  if (!status_ec && std::filesystem::exists(st) && !std::filesystem::is_regular_file(st)) {
    std::ofstream out(path, std::ios::binary);
    if (!out) return Status::IOError("cannot write \"" + path + "\"");
    out << text;
    out.close();
    if (!out) return Status::IOError("writing \"" + path + "\" failed");
    return Status::OK();
  }
  std::string tmp = path + ".dbarch-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IOError("cannot write \"" + path + "\"");
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      return Status::IOError("writing \"" + path + "\" failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return Status::IOError("cannot write \"" + path + "\": " + ec.message());
  }
  return Status::OK();
}

}  // namespace dbarch::cli
