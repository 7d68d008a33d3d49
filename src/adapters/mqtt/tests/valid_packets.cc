// The valid-packet fixtures (valid_packets.h). Clause and section numbers refer to MQTT 3.1.1 (OASIS
// Standard, 29 October 2014).
#include "adapters/mqtt/tests/valid_packets.h"

#include "adapters/mqtt/tests/test_support.h"

namespace tributary::adapters::mqtt::testing {

namespace {

std::vector<valid_fixture> build() {
  std::vector<valid_fixture> f;

  // The spec's CONNECT variable header example (§3.1.2.10: "MQTT", level 4, flags 0xCE, keep alive 10)
  // with a payload in [MQTT-3.1.3-1] order: client id "a", will topic "w/t", will message "bye", user name
  // "user", password 00 FF.
  connect_packet spec;
  spec.keep_alive = 10;
  spec.client_id = "a";
  spec.will = will_message{"w/t", to_bytes("bye"), qos::at_least_once, false};
  spec.username = "user";
  spec.password = bytes{0x00, 0xFF};
  f.push_back({"connect_spec_variable_header",
               "10 21 00 04 4D 51 54 54 04 CE 00 0A 00 01 61 00 03 77 2F 74 00 03 62 79 65 00 04 75 73 65 72 "
               "00 02 00 FF",
               spec});

  connect_packet minimal;
  minimal.keep_alive = 60;
  f.push_back({"connect_empty_client_id", "10 0C 00 04 4D 51 54 54 04 02 00 3C 00 00", minimal});

  // What a Hono device sends: auth-id@tenant and a password, clean session.
  connect_packet hono;
  hono.keep_alive = 30;
  hono.client_id = "device-4711";
  hono.username = "sensor1@DEFAULT_TENANT";
  hono.password = to_bytes("hono-secret");
  f.push_back({"connect_hono_credentials",
               "10 3C 00 04 4D 51 54 54 04 C2 00 1E 00 0B 64 65 76 69 63 65 2D 34 37 31 31 00 16 73 65 6E 73 6F "
               "72 31 40 44 45 46 41 55 4C 54 5F 54 45 4E 41 4E 54 00 0B 68 6F 6E 6F 2D 73 65 63 72 65 74",
               hono});

  connect_packet will_only;
  will_only.clean_session = false;
  will_only.client_id = "c";
  will_only.will = will_message{"status/c", {}, qos::exactly_once, true};
  f.push_back({"connect_will_qos2_retain_empty_message",
               "10 19 00 04 4D 51 54 54 04 34 00 00 00 01 63 00 08 73 74 61 74 75 73 2F 63 00 00", will_only});

  f.push_back({"connack_accepted", "20 02 00 00", connack_packet{false, connect_return_code::accepted}});
  f.push_back({"connack_session_present", "20 02 01 00", connack_packet{true, connect_return_code::accepted}});
  f.push_back({"connack_unacceptable_protocol_level", "20 02 00 01",
               connack_packet{false, connect_return_code::unacceptable_protocol_level}});
  f.push_back({"connack_not_authorized", "20 02 00 05", connack_packet{false, connect_return_code::not_authorized}});

  f.push_back({"publish_qos0", "30 0A 00 03 61 2F 62 68 65 6C 6C 6F",
               publish_packet{false, qos::at_most_once, false, "a/b", 0, to_bytes("hello")}});
  // The spec's PUBLISH variable header example (§3.3.2.3): topic "a/b", packet identifier 10.
  f.push_back({"publish_spec_example_qos1", "32 09 00 03 61 2F 62 00 0A 68 69",
               publish_packet{false, qos::at_least_once, false, "a/b", 10, to_bytes("hi")}});
  f.push_back({"publish_qos2_dup_retain_id_65535",
               "3D 17 00 05 65 76 65 6E 74 FF FF 7B 22 61 6C 61 72 6D 22 3A 74 72 75 65 7D",
               publish_packet{true, qos::exactly_once, true, "event", 0xFFFF, to_bytes(R"({"alarm":true})")}});
  f.push_back({"publish_retain_empty_payload", "31 05 00 03 61 2F 62",
               publish_packet{false, qos::at_most_once, true, "a/b", 0, {}}});
  // The spec's UTF-8 string example (§1.5.3): "A" then U+2A6D4 in four bytes.
  f.push_back({"publish_spec_utf8_topic", "30 07 00 05 41 F0 AA 9B 94",
               publish_packet{false, qos::at_most_once, false, "A\xF0\xAA\x9B\x94", 0, {}}});
  f.push_back({"publish_hono_property_bag",
               "32 38 00 2A 74 65 6C 65 6D 65 74 72 79 2F 3F 63 6F 6E 74 65 6E 74 2D 74 79 70 65 3D 61 70 70 6C "
               "69 63 61 74 69 6F 6E 25 32 46 6A 73 6F 6E 00 01 7B 22 74 65 6D 70 22 3A 35 7D",
               publish_packet{false, qos::at_least_once, false, "telemetry/?content-type=application%2Fjson", 1,
                              to_bytes(R"({"temp":5})")}});

  f.push_back({"puback", "40 02 00 0A", puback_packet{10}});
  f.push_back({"pubrec", "50 02 00 0A", pubrec_packet{10}});
  f.push_back({"pubrel", "62 02 00 0A", pubrel_packet{10}});
  f.push_back({"pubcomp", "70 02 FF FF", pubcomp_packet{0xFFFF}});

  // The spec's SUBSCRIBE example (§3.8.3): packet identifier 10, "a/b" QoS 1, "c/d" QoS 2.
  f.push_back({"subscribe_spec_example", "82 0E 00 0A 00 03 61 2F 62 01 00 03 63 2F 64 02",
               subscribe_packet{10, {{"a/b", qos::at_least_once}, {"c/d", qos::exactly_once}}}});
  f.push_back({"subscribe_hono_commands", "82 14 00 01 00 0F 63 6F 6D 6D 61 6E 64 2F 2F 2F 72 65 71 2F 23 01",
               subscribe_packet{1, {{"command///req/#", qos::at_least_once}}}});
  f.push_back({"subscribe_wildcards_qos0", "82 0A 00 02 00 05 2B 2F 2B 2F 23 00",
               subscribe_packet{2, {{"+/+/#", qos::at_most_once}}}});

  f.push_back({"suback_all_codes", "90 06 00 0A 00 01 02 80",
               suback_packet{10,
                             {suback_return_code::granted_qos0, suback_return_code::granted_qos1,
                              suback_return_code::granted_qos2, suback_return_code::failure}}});

  // The spec's UNSUBSCRIBE example (§3.10.3): packet identifier 10, "a/b", "c/d".
  f.push_back({"unsubscribe_spec_example", "A2 0C 00 0A 00 03 61 2F 62 00 03 63 2F 64",
               unsubscribe_packet{10, {"a/b", "c/d"}}});
  f.push_back({"unsuback", "B0 02 00 0A", unsuback_packet{10}});
  f.push_back({"pingreq", "C0 00", pingreq_packet{}});
  f.push_back({"pingresp", "D0 00", pingresp_packet{}});
  f.push_back({"disconnect", "E0 00", disconnect_packet{}});
  return f;
}

}  // namespace

const std::vector<valid_fixture>& valid_fixtures() {
  static const std::vector<valid_fixture> fixtures = build();
  return fixtures;
}

}  // namespace tributary::adapters::mqtt::testing
