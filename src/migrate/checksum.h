// Sha256Hex: the checksum stored in the history table for each migration file (the
// lower-case hex SHA-256 of the file's bytes), computed with OpenSSL's libcrypto. Used by
// migration_files.h. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dbarch::migrate {

// 64 lower-case hex digits.
std::string Sha256Hex(std::string_view bytes);

}  // namespace dbarch::migrate
