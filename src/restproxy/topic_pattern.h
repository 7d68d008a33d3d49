// topic_pattern: a consumer's `topic_pattern` subscription, a regular expression that must match a
// whole topic name (Java's Pattern.matches; ECMAScript syntax here, which agrees on what topic
// patterns use: classes, alternation, repetition, anchors). Immutable, thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tributary::restproxy {

class topic_pattern {
 public:
  // The error says why `text` is not a regular expression.
  static result<topic_pattern, std::string> compile(const std::string& text);
  bool matches(const std::string& topic) const;
  const std::string& text() const { return text_; }

 private:
  struct compiled;
  topic_pattern(std::string text, std::shared_ptr<const compiled> re) : text_(std::move(text)), re_(std::move(re)) {}
  std::string text_;
  std::shared_ptr<const compiled> re_;
};

}  // namespace tributary::restproxy
