#include "metrics/registry.h"

#include <fmt/format.h>

namespace tributary::metrics {
namespace {

std::string escape_label(std::string_view v) {
  std::string out;
  for (char ch : v) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '"') out += "\\\"";
    else if (ch == '\n') out += "\\n";
    else out += ch;
  }
  return out;
}

std::string escape_help(std::string_view v) {
  std::string out;
  for (char ch : v) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '\n') out += "\\n";
    else out += ch;
  }
  return out;
}

}  // namespace

void exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
}

void exposition::sample(std::string_view name, const labels& l, double value) {
  text_ += name;
  if (!l.empty()) {
    text_ += '{';
    for (std::size_t i = 0; i < l.size(); ++i) {
      text_ += fmt::format("{}{}=\"{}\"", i ? "," : "", l[i].first, escape_label(l[i].second));
    }
    text_ += '}';
  }
  text_ += fmt::format(" {}\n", value);
}

counter& registry::get_counter(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard lock(mutex_);
  auto& f = families_.try_emplace(name, family{"counter", help, {}, {}, {}}).first->second;
  auto [it, inserted] = f.counters.try_emplace(l, nullptr);
  if (inserted) it->second = &counter_storage_.emplace_back();
  return *it->second;
}

gauge& registry::get_gauge(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard lock(mutex_);
  auto& f = families_.try_emplace(name, family{"gauge", help, {}, {}, {}}).first->second;
  auto [it, inserted] = f.gauges.try_emplace(l, nullptr);
  if (inserted) it->second = &gauge_storage_.emplace_back();
  return *it->second;
}

summary& registry::get_summary(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard lock(mutex_);
  auto& f = families_.try_emplace(name, family{"summary", help, {}, {}, {}}).first->second;
  auto [it, inserted] = f.summaries.try_emplace(l, nullptr);
  if (inserted) it->second = &summary_storage_.emplace_back();
  return *it->second;
}

void registry::add_collector(collector c) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(c));
}

std::string registry::render() const {
  exposition out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, f] : families_) {
    out.family(name, f.type, f.help);
    for (const auto& [l, c] : f.counters) out.sample(name, l, static_cast<double>(c->value()));
    for (const auto& [l, g] : f.gauges) out.sample(name, l, static_cast<double>(g->value()));
    for (const auto& [l, s] : f.summaries) {
      out.sample(name + "_count", l, static_cast<double>(s->count()));
      out.sample(name + "_sum", l, s->sum());
    }
    if (!f.summaries.empty()) {
      out.family(name + "_max", "gauge", f.help + " (maximum)");
      for (const auto& [l, s] : f.summaries) out.sample(name + "_max", l, s->max());
    }
  }
  for (const auto& c : collectors_) c(out);
  return out.text();
}

}  // namespace tributary::metrics
