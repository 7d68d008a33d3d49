// The /v3 endpoints of proxy: the cluster resource and record produce (../shared/spec/kafka-rest-proxy.md §10).
#include <boost/json.hpp>

#include "restproxy/proxy.h"
#include "restproxy/v3_records.h"

namespace tributary::restproxy {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

json::object cluster_json(const std::string& base, const std::string& id) {
  const auto self = base + "/v3/clusters/" + id;
  auto related = [&self](const std::string& what) { return json::object{{"related", self + what}}; };
  return {{"kind", "KafkaCluster"},
          {"metadata", json::object{{"self", self}, {"resource_name", "crn:///kafka=" + id}}},
          {"cluster_id", id},
          {"controller", related("/brokers/0")},
          {"acls", related("/acls")},
          {"brokers", related("/brokers")},
          {"broker_configs", related("/broker-configs")},
          {"consumer_groups", related("/consumer-groups")},
          {"topics", related("/topics")},
          {"partition_reassignments", related("/topics/-/partitions/-/reassignment")}};
}

net::http_response v3_json(const net::http_request& req, unsigned status, std::string body) {
  net::http_response res{static_cast<http::status>(status), req.version()};
  res.set(http::field::content_type, plain_json);
  res.body() = std::move(body);
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

net::http_response v3_error(const net::http_request& req, const rest_error& e) {
  auto res = error_response(e, plain_json, req.version());
  res.keep_alive(req.keep_alive());
  return res;
}

}  // namespace

std::string proxy::external_base(const net::http_request& req) const {
  std::string base = options_.advertised_url;
  if (base.empty()) base = "http://" + std::string(req[http::field::host]);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

boost::asio::awaitable<net::http_response> proxy::v3(const net::http_request& req, const segments& path) {
  const auto n = path.size();
  const bool get = req.method() == http::verb::get;
  if (n < 2 || path[1] != "clusters" || n == 4 || n == 5 || n > 6 ||
      (n == 6 && path[5] != "records" && path[5] != "records:batch") || (n >= 4 && path[3] != "topics"))
    co_return v3_error(req, http_status_error(404));
  const auto id = cluster_.cluster_id();
  if (n == 2) {
    if (!get) co_return v3_error(req, http_status_error(405));
    const auto base = external_base(req);
    const json::object list{{"kind", "KafkaClusterList"},
                            {"metadata", json::object{{"self", base + "/v3/clusters"}, {"next", nullptr}}},
                            {"data", json::array{cluster_json(base, id)}}};
    co_return v3_json(req, 200, json::serialize(list));
  }
  if (path[2] != id) co_return v3_error(req, rest_error{404, 404, "Cluster " + path[2] + " cannot be found."});
  if (n == 3) {
    if (!get) co_return v3_error(req, http_status_error(405));
    co_return v3_json(req, 200, json::serialize(cluster_json(external_base(req), id)));
  }
  if (req.method() != http::verb::post) co_return v3_error(req, http_status_error(405));
  auto produced = v3_produce(req, path[4], path[5] == "records:batch");
  co_return co_await std::move(produced);
}

boost::asio::awaitable<net::http_response> proxy::v3_produce(const net::http_request& req, const std::string& topic,
                                                             bool batch) {
  const auto content_type = req[http::field::content_type];
  if (content_type.substr(0, content_type.find(';')) != plain_json) co_return v3_error(req, http_status_error(415));
  if (!accepts(req[http::field::accept], plain_json)) co_return v3_error(req, http_status_error(406));
  auto count = cluster_.partitions_for_produce(topic);
  if (!count) co_return v3_error(req, count.error());
  std::vector<v3_entry> entries;
  std::vector<std::string> ids;  // batch entry ids
  if (batch) {
    auto parsed = parse_v3_batch(req.body(), v3_batch_max_entries);
    if (!parsed) co_return v3_error(req, parsed.error());
    for (auto& e : *parsed) {
      ids.push_back(std::move(e.id));
      entries.push_back(std::move(e.entry));
    }
  } else {
    entries = parse_v3_records(req.body());
  }
  if (entries.empty()) co_return v3_error(req, bad_request("the request has no records"));
  std::vector<produce_record*> pending;
  std::vector<std::optional<rest_error>> refused(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (auto* e = std::get_if<rest_error>(&entries[i])) {
      refused[i] = *e;
      continue;
    }
    auto& r = std::get<v3_record>(entries[i]).record;
    if (r.partition && *r.partition >= *count) {
      refused[i] = rest_error{404, 40402, "This server does not host this topic-partition."};
      continue;
    }
    pending.push_back(&r);
  }
  auto appending = append_records(topic, *count, std::move(pending));
  const auto outcomes = co_await std::move(appending);
  // One report per entry, in order: a delivery or an error.
  std::vector<std::string> reports;
  std::vector<bool> delivered;
  std::size_t next = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (refused[i]) {
      reports.push_back(v3_error_report(*refused[i]));
      delivered.push_back(false);
      continue;
    }
    const auto& r = std::get<v3_record>(entries[i]);
    const auto& o = outcomes[next++];
    if (o.error_code) {
      reports.push_back(v3_error_report(rest_error{500, *o.error_code, o.error.value_or("")}));
      delivered.push_back(false);
    } else {
      reports.push_back(v3_report({cluster_.cluster_id(), topic, *o.partition, *o.offset, *r.record.timestamp}, r));
      delivered.push_back(true);
    }
  }
  if (!batch) {
    std::string body;
    for (const auto& report : reports) body += (body.empty() ? "" : "\n") + report;
    co_return v3_json(req, 200, std::move(body));
  }
  json::array successes, failures;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    json::object entry{{"id", ids[i]}};
    const auto report = json::parse(reports[i]);
    for (const auto& field : report.as_object()) entry[field.key()] = field.value();
    (delivered[i] ? successes : failures).push_back(std::move(entry));
  }
  co_return v3_json(req, 207, json::serialize(json::object{{"successes", std::move(successes)}, {"failures", std::move(failures)}}));
}

}  // namespace tributary::restproxy
