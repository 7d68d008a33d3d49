// documents: validation of the management API's JSON bodies against spec/hono.md §4.2–4.4
// (unknown properties, types, ranges, id patterns) and their normalised stored form: defaults
// filled in, trust anchors and secrets given ids, `pwd-plain` replaced by its bcrypt hash.
// Pure except for hashing (slow: call on a blocking pool). Error messages never contain secrets.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

#include "registry/records.h"
#include "registry/registry_error.h"

namespace tributary::registry {

struct tenant_document {
  boost::json::object doc;
  std::optional<std::string> alias;
  std::optional<std::string> trust_anchor_group;
  std::vector<std::string> trusted_ca_subjects;
};

registry_result<tenant_document> parse_tenant(const boost::json::value& body);

// The stored device (without `status`, which is read-only and ignored when sent).
registry_result<boost::json::object> parse_device(const boost::json::value& body);

struct credentials_options {
  int bcrypt_cost = 10;      // for pwd-plain
  int max_bcrypt_cost = 10;  // for pwd-hash
};

// The tenant's trust anchors that carry an `auth-id-template`: CA subject DN -> template.
using auth_id_templates = std::vector<std::pair<std::string, std::string>>;
auth_id_templates auth_id_templates_of(const boost::json::object& tenant_doc);

// A PUT body for a device's credentials, merged with the credentials it replaces: secrets with an
// `id` keep the confidential fields of the existing secret of that id unless new ones are given.
registry_result<std::vector<credential_record>> parse_credentials(const boost::json::value& body,
                                                                  const std::vector<credential_record>& existing,
                                                                  const credentials_options& options,
                                                                  const auth_id_templates& templates = {});

// The credentials as GET returns them: secrets without their confidential fields.
boost::json::array public_credentials(const std::vector<credential_record>& credentials);

}  // namespace tributary::registry
