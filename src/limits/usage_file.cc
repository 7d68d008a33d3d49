#include "limits/usage_file.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>

#include "log/file.h"

namespace tributary::limits {

limits_result<void> load_usage(const std::filesystem::path& file, usage_ledger& ledger) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return {};
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(limits_error{limits_errc::io_error, "cannot read " + file.string()});
  std::stringstream content;
  content << in.rdbuf();
  boost::system::error_code parse_error;
  const auto doc = boost::json::parse(content.str(), parse_error);
  if (parse_error) return fail(limits_error{limits_errc::corrupt, file.string() + ": " + parse_error.message()});
  if (!ledger.restore(doc)) return fail(limits_error{limits_errc::corrupt, file.string() + ": not a usage ledger of version 1"});
  return {};
}

limits_result<void> save_usage(const std::filesystem::path& file, const usage_ledger& ledger) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return fail(limits_error{limits_errc::io_error, "cannot create " + file.parent_path().string() + ": " + ec.message()});
  if (auto r = log::write_file_atomically(file, boost::json::serialize(ledger.snapshot())); !r) {
    return fail(limits_error{limits_errc::io_error, r.error().message});
  }
  return {};
}

}  // namespace tributary::limits
