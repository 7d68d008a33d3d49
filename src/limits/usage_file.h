// usage_file: the usage ledger on disk, <data-dir>/limits/usage.json (written atomically: temporary
// file, fsync, rename), so that a restart keeps what tenants used in their current periods. A
// crash loses at most what was counted since the last save (the server saves every few seconds
// while usage changes, and on shutdown).
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"
#include "limits/usage_ledger.h"

namespace tributary::limits {

enum class limits_errc { io_error, corrupt };
using limits_error = coded_error<limits_errc>;
template <typename T>
using limits_result = result<T, limits_error>;

// Loads the file into the ledger; a missing file is an empty ledger.
limits_result<void> load_usage(const std::filesystem::path& file, usage_ledger& ledger);
limits_result<void> save_usage(const std::filesystem::path& file, const usage_ledger& ledger);

}  // namespace tributary::limits
