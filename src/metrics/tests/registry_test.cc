#include "metrics/registry.h"

#include <gtest/gtest.h>

namespace tributary::metrics {
namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

TEST(Registry, RendersCountersAndGaugesWithLabels) {
  registry r;
  r.get_counter("hono_messages_received_total", "Messages received.", {{"tenant", "DEFAULT_TENANT"}}).inc(3);
  r.get_gauge("hono_connections_authenticated", "Connected devices.").set(7);
  const std::string text = r.render();
  EXPECT_TRUE(contains(text, "# HELP hono_messages_received_total Messages received.\n"
                             "# TYPE hono_messages_received_total counter\n"
                             "hono_messages_received_total{tenant=\"DEFAULT_TENANT\"} 3\n"))
      << text;
  EXPECT_TRUE(contains(text, "# TYPE hono_connections_authenticated gauge\nhono_connections_authenticated 7\n")) << text;
}

TEST(Registry, SameNameAndLabelsGiveTheSameInstrument) {
  registry r;
  counter& a = r.get_counter("c", "h", {{"k", "v"}});
  counter& b = r.get_counter("c", "h", {{"k", "v"}});
  counter& other = r.get_counter("c", "h", {{"k", "w"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
  a.inc();
  b.inc();
  EXPECT_EQ(a.value(), 2u);
  EXPECT_EQ(other.value(), 0u);
}

TEST(Registry, EscapesLabelValues) {
  registry r;
  r.get_gauge("g", "h", {{"path", "a\"b\\c\nd"}}).set(1);
  EXPECT_TRUE(contains(r.render(), "g{path=\"a\\\"b\\\\c\\nd\"} 1\n")) << r.render();
}

TEST(Registry, ProcessMetricsArePlausible) {
  registry r;
  r.add_collector(collect_process_metrics);
  const std::string text = r.render();
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
                           "process_start_time_seconds ", "process_max_fds ", "process_threads "}) {
    EXPECT_TRUE(contains(text, std::string("\n") + name)) << name << " missing in\n" << text;
  }
  const auto rss = text.find("\nprocess_resident_memory_bytes ");
  EXPECT_GT(std::stod(text.substr(rss + 31)), 1e5);
}

}  // namespace
}  // namespace tributary::metrics

namespace tributary::metrics {
namespace {

TEST(Registry, SummariesRenderCountSumAndMax) {
  registry r;
  auto& s = r.get_summary("hono_telemetry_payload_bytes", "Payload sizes.", {{"tenant", "t"}});
  s.observe(10);
  s.observe(30);
  s.observe(20);
  const std::string text = r.render();
  EXPECT_NE(text.find("# TYPE hono_telemetry_payload_bytes summary\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hono_telemetry_payload_bytes_count{tenant=\"t\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hono_telemetry_payload_bytes_sum{tenant=\"t\"} 60\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE hono_telemetry_payload_bytes_max gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hono_telemetry_payload_bytes_max{tenant=\"t\"} 30\n"), std::string::npos) << text;
  EXPECT_EQ(&s, &r.get_summary("hono_telemetry_payload_bytes", "", {{"tenant", "t"}}));
}

}  // namespace
}  // namespace tributary::metrics
