// UTF-8 strings (§1.5.3, RFC 3629), topic names and topic filters (§4.7): each rule's edges, through
// the check functions and through decode.
#include "adapters/mqtt/string_rules.h"

#include <gtest/gtest.h>

#include "adapters/mqtt/codec.h"
#include "adapters/mqtt/tests/test_support.h"

namespace tributary::adapters::mqtt {
namespace {

using testing::from_hex;

std::string from_hex_string(std::string_view hex) {
  const bytes b = from_hex(hex);
  return std::string(b.begin(), b.end());
}

TEST(MqttUtf8, WellFormedEdges) {
  for (const char* hex : {
           "",                // empty is a valid string (not a valid topic)
           "41",              // ASCII
           "7F",              // U+007F, last 1-byte
           "C2 80",           // U+0080, first 2-byte
           "C3 A9",           // é
           "DF BF",           // U+07FF, last 2-byte
           "E0 A0 80",        // U+0800, first 3-byte
           "E2 82 AC",        // €
           "ED 9F BF",        // U+D7FF, just below the surrogates
           "EE 80 80",        // U+E000, just above them
           "EF BB BF",        // U+FEFF, kept and not skipped [MQTT-1.5.3-3]
           "EF BF BF",        // U+FFFF
           "F0 90 80 80",     // U+10000, first 4-byte
           "F0 9F 98 80",     // 😀
           "41 F0 AA 9B 94",  // the spec's example, U+2A6D4
           "F4 8F BF BF",     // U+10FFFF, the last code point
           "01 1F 7F C2 9F",  // control characters: allowed (the spec only says SHOULD NOT)
       }) {
    SCOPED_TRACE(hex);
    EXPECT_FALSE(check_utf8_string(from_hex_string(hex)).has_value());
  }
}

struct bad_utf8 {
  const char* hex;
  codec_errc code;
  std::size_t offset;
  const char* what;
};

TEST(MqttUtf8, IllFormedSequences) {
  const bad_utf8 cases[] = {
      {"00", codec_errc::null_character, 0, "U+0000"},
      {"61 00", codec_errc::null_character, 1, "[MQTT-1.5.3-2]"},
      {"C0 80", codec_errc::invalid_utf8, 0, "overlong"},  // U+0000 in two bytes
      {"C1 BF", codec_errc::invalid_utf8, 0, "overlong"},
      {"E0 80 80", codec_errc::invalid_utf8, 0, "overlong"},
      {"E0 9F BF", codec_errc::invalid_utf8, 0, "overlong"},  // U+07FF in three bytes
      {"F0 80 80 80", codec_errc::invalid_utf8, 0, "overlong"},
      {"F0 8F BF BF", codec_errc::invalid_utf8, 0, "overlong"},  // U+FFFF in four bytes
      {"ED A0 80", codec_errc::invalid_utf8, 0, "UTF-16 surrogate U+D800"},
      {"ED BF BF", codec_errc::invalid_utf8, 0, "UTF-16 surrogate U+DFFF"},
      {"61 ED B0 80", codec_errc::invalid_utf8, 1, "U+DC00"},
      {"F4 90 80 80", codec_errc::invalid_utf8, 0, "beyond U+10FFFF"},
      {"F5 80 80 80", codec_errc::invalid_utf8, 0, "0xF5 never appears"},
      {"FF", codec_errc::invalid_utf8, 0, "0xFF never appears"},
      {"80", codec_errc::invalid_utf8, 0, "continuation byte 0x80 without a lead byte"},
      {"41 BF", codec_errc::invalid_utf8, 1, "continuation byte 0xBF"},
      {"C3", codec_errc::invalid_utf8, 0, "cut short"},
      {"E2 82", codec_errc::invalid_utf8, 0, "cut short"},
      {"F0 9F 98", codec_errc::invalid_utf8, 0, "cut short"},
      {"C3 41", codec_errc::invalid_utf8, 1, "byte 0x41 where a continuation byte must follow 0xC3"},
      {"E2 82 41", codec_errc::invalid_utf8, 2, "byte 0x41 where a continuation byte must follow"},
      {"F0 9F 98 C3", codec_errc::invalid_utf8, 3, "0xC3"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.hex);
    const auto problem = check_utf8_string(from_hex_string(c.hex));
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->code, c.code);
    EXPECT_EQ(problem->offset, c.offset);
    EXPECT_NE(problem->what.find(c.what), std::string::npos) << problem->what;
  }
}

TEST(MqttUtf8, DecodeAcceptsAFourByteClientId) {
  // CONNECT with client id U+1F600.
  const auto r = decode(from_hex("10 10 00 04 4D 51 54 54 04 02 00 3C 00 04 F0 9F 98 80"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(std::get<connect_packet>((*r)->packet).client_id, "\xF0\x9F\x98\x80");
}

TEST(MqttUtf8, DecodeRefusesBadUserNamesAndFilters) {
  // User name "\xED\xA0\x80" (U+D800).
  auto r = decode(from_hex("10 12 00 04 4D 51 54 54 04 82 00 3C 00 01 61 00 03 ED A0 80"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, codec_errc::invalid_utf8);
  EXPECT_NE(r.error().message.find("CONNECT user name at byte 17"), std::string::npos) << r.error().message;
  // UNSUBSCRIBE filter with an overlong '/' (C0 AF).
  r = decode(from_hex("A2 06 00 01 00 02 C0 AF"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, codec_errc::invalid_utf8);
  // The will message and the password are binary: any bytes.
  r = decode(from_hex("10 1A 00 04 4D 51 54 54 04 C6 00 3C 00 01 61 00 01 74 00 02 00 FF 00 01 75 00 01 C0"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->has_value());
  const auto& c = std::get<connect_packet>((*r)->packet);
  EXPECT_EQ(c.will->message, (bytes{0x00, 0xFF}));
  EXPECT_EQ(c.password, (bytes{0xC0}));
}

TEST(MqttTopics, Names) {
  for (const char* ok : {"a", "a/b", "/", "//", "/finance", "$SYS/broker", "telemetry/?content-type=a%2Fb", " "}) {
    SCOPED_TRACE(ok);
    EXPECT_FALSE(check_topic_name(ok).has_value());
  }
  EXPECT_EQ(check_topic_name("")->code, codec_errc::empty_topic);
  EXPECT_EQ(check_topic_name("a/+")->code, codec_errc::wildcard_in_topic_name);
  EXPECT_EQ(check_topic_name("a/+")->offset, 2u);
  EXPECT_EQ(check_topic_name("#")->code, codec_errc::wildcard_in_topic_name);
  EXPECT_EQ(check_topic_name("a+b")->code, codec_errc::wildcard_in_topic_name);
  EXPECT_EQ(check_topic_name(std::string("a\0b", 3))->code, codec_errc::null_character);  // [MQTT-4.7.3-2]
}

TEST(MqttTopics, FiltersFromTheSpec) {
  // §4.7.1.2 and §4.7.1.3.
  for (const char* ok : {"sport/tennis/player1/#", "sport/#", "#", "sport/tennis/#", "+", "+/tennis/#",
                         "sport/+/player1", "/+", "+/+", "/finance", "command///req/#", "a//+//#"}) {
    SCOPED_TRACE(ok);
    EXPECT_FALSE(check_topic_filter(ok).has_value());
  }
  const std::pair<const char*, std::size_t> bad[] = {
      {"sport/tennis#", 12},
      {"sport/tennis/#/ranking", 13},
      {"sport+", 5},
      {"#/", 0},
      {"a/#b", 2},
      {"a/b#", 3},
      {"++", 0},
      {"a/b+", 3},
      {"+a", 0},
      {"a/+b/c", 2},
  };
  for (const auto& [filter, at] : bad) {
    SCOPED_TRACE(filter);
    const auto problem = check_topic_filter(filter);
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->code, codec_errc::invalid_topic_filter);
    EXPECT_EQ(problem->offset, at);
  }
  EXPECT_EQ(check_topic_filter("")->code, codec_errc::empty_topic);
  EXPECT_EQ(check_topic_filter("a/\xC0\x80")->code, codec_errc::invalid_utf8);
}

}  // namespace
}  // namespace tributary::adapters::mqtt
