// Fuzz target for the registry's JSON body validation (src/registry/documents.h). The first byte
// picks tenant, device or credentials; the rest is the request body. Any bytes must come back as a
// document or an error, never a crash, and validation must be idempotent: a normalised document
// validates again to itself (for credentials, with itself as the existing set, so secret ids and
// hashes are kept), and credentials as shown carry no confidential field on a credential or secret.
// Built as registry_documents_fuzz (libFuzzer, clang) and registry_documents_fuzz_replay (ctest over
// corpus/registry_documents/); see README.md.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz_check.h"
#include "registry/documents.h"

namespace {

namespace reg = tributary::registry;

boost::json::array as_array(const std::vector<reg::credential_record>& credentials) {
  boost::json::array out;
  for (const auto& c : credentials) out.push_back(c.doc);
  return out;
}

bool has_confidential(const boost::json::object& o) {
  for (const char* key : {"pwd-hash", "pwd-plain", "salt", "hash-function", "key"}) {
    if (o.contains(key)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(body, ec);
  if (ec) return 0;
  switch (data[0] % 3) {
    case 0: {
      auto t = reg::parse_tenant(v);
      if (!t) return 0;
      auto again = reg::parse_tenant(t->doc);
      FUZZ_CHECK(again.ok());
      FUZZ_CHECK(again->doc == t->doc);
      FUZZ_CHECK(again->trusted_ca_subjects == t->trusted_ca_subjects);
      break;
    }
    case 1: {
      auto d = reg::parse_device(v);
      if (!d) return 0;
      auto again = reg::parse_device(*d);
      FUZZ_CHECK(again.ok());
      FUZZ_CHECK(*again == *d);
      break;
    }
    case 2: {
      const reg::credentials_options options{4, 10};  // cheapest bcrypt for pwd-plain
      auto c = reg::parse_credentials(v, {}, options);
      if (!c) return 0;
      auto again = reg::parse_credentials(as_array(*c), *c, options);
      FUZZ_CHECK(again.ok());
      FUZZ_CHECK(as_array(*again) == as_array(*c));
      // Credentials as GET shows them carry no confidential field, neither on the credential nor on
      // its secrets (free-form data nested deeper in generic types is the user's own).
      for (const auto& shown : reg::public_credentials(*c)) {
        FUZZ_CHECK(!has_confidential(shown.as_object()));
        if (const auto* secrets = shown.as_object().if_contains("secrets"); secrets && secrets->is_array()) {
          for (const auto& secret : secrets->as_array()) FUZZ_CHECK(!secret.is_object() || !has_confidential(secret.as_object()));
        }
      }
      break;
    }
  }
  return 0;
}
