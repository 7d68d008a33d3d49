// Runs a fuzz target without libFuzzer, so any compiler can replay its corpus: each file named on the
// command line, or found under a named directory, goes once through LLVMFuzzerTestOneInput, in path
// order. An input that breaks the target aborts the process, so exit 0 means every input passed.
// Usage: <target>_fuzz_replay <file or directory>...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// Appends `path`, or every regular file under it, to `inputs`; false when it does not exist.
bool collect(const fs::path& path, std::vector<fs::path>& inputs) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) inputs.push_back(it->path());
    }
    return !ec;
  }
  if (!fs::is_regular_file(path, ec)) return false;
  inputs.push_back(path);
  return true;
}

// Like libFuzzer, hands the target a heap buffer of exactly the input's size, so ASan sees overreads.
bool replay(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return false;
  auto buffer = std::make_unique<std::uint8_t[]>(bytes.size());
  std::copy(bytes.begin(), bytes.end(), buffer.get());
  LLVMFuzzerTestOneInput(buffer.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " <file or directory>...\n";
    return 2;
  }
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!collect(argv[i], inputs)) {
      std::cerr << argv[i] << ": no such file or directory, or unreadable\n";
      return 2;
    }
  }
  if (inputs.empty()) {
    std::cerr << "no inputs to replay\n";
    return 1;
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& path : inputs) {
    std::cerr << "replaying " << path.string() << std::endl;  // flushed: names the input if it aborts
    if (!replay(path)) {
      std::cerr << path.string() << ": read failed\n";
      return 2;
    }
  }
  std::cerr << inputs.size() << " inputs replayed, none failed\n";
  return 0;
}
