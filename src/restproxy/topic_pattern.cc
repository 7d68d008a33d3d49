// Compiled with -Wno-maybe-uninitialized (CMakeLists.txt): GCC 12 reports a false positive inside
// libstdc++'s <regex> at -O1 with sanitizers; keeping <regex> in this one file keeps the exception
// narrow.
#include "restproxy/topic_pattern.h"

#include <regex>

namespace tributary::restproxy {

struct topic_pattern::compiled {
  std::regex re;
};

result<topic_pattern, std::string> topic_pattern::compile(const std::string& text) {
  try {  // std::regex reports a bad pattern only by throwing: turned into a value here
    auto c = std::make_shared<compiled>(compiled{std::regex(text, std::regex::ECMAScript)});
    return topic_pattern(text, std::move(c));
  } catch (const std::regex_error& e) {
    return fail(std::string(e.what()));
  }
}

bool topic_pattern::matches(const std::string& topic) const { return std::regex_match(topic, re_->re); }

}  // namespace tributary::restproxy
