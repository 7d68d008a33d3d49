#include "registry/password_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace tributary::registry {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

const password_hash kDemo{"bcrypt", "$2a$10$N7UMjhZ2hYx.yuvW9WVXZ.4y33mr6MvnpAsZ8wgLHnkamH2tZ1jD.", {}};
const password_hash kSha{"sha-256", "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM=", "ij8AxxH+WwI="};

TEST(PasswordCache, MissThenHit) {
  password_cache cache(16, 1h);
  EXPECT_EQ(cache.lookup(kDemo, "hono-secret"), std::nullopt);
  EXPECT_EQ(cache.size(), 0u);
  cache.remember(kDemo, "hono-secret", true);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.lookup(kDemo, "hono-secret"), true);
  EXPECT_EQ(cache.lookup(kDemo, "hono-secret"), true);
  EXPECT_EQ(cache.lookup(kDemo, "hono-secreT"), std::nullopt);
  EXPECT_EQ(cache.lookup(kDemo, ""), std::nullopt);
}

TEST(PasswordCache, RemembersMismatchesToo) {
  password_cache cache(16, 1h);
  cache.remember(kDemo, "wrong", false);
  cache.remember(kDemo, "hono-secret", true);
  EXPECT_EQ(cache.lookup(kDemo, "wrong"), false);
  EXPECT_EQ(cache.lookup(kDemo, "hono-secret"), true);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(PasswordCache, RememberingAgainReplacesTheOutcome) {
  password_cache cache(16, 1h);
  cache.remember(kDemo, "hono-secret", false);
  cache.remember(kDemo, "hono-secret", true);
  EXPECT_EQ(cache.lookup(kDemo, "hono-secret"), true);
  EXPECT_EQ(cache.size(), 1u);
}

// A changed credential (other hash, salt or function) never hits an entry of the old one.
TEST(PasswordCache, EveryFieldOfTheStoredHashIsPartOfTheKey) {
  password_cache cache(16, 1h);
  cache.remember(kSha, "hono-secret", true);
  EXPECT_EQ(cache.lookup(kSha, "hono-secret"), true);
  auto other_hash = kSha;
  other_hash.hash = "1kkUGFVe8TyUi+9KxFPkOXRFU0drt2mO5xLRRrBOkHY=";
  auto other_salt = kSha;
  other_salt.salt = "AAAAAAAAAAA=";
  auto no_salt = kSha;
  no_salt.salt.clear();
  auto other_function = kSha;
  other_function.function = "sha-512";
  for (const auto& stored : {other_hash, other_salt, no_salt, other_function, kDemo}) {
    EXPECT_EQ(cache.lookup(stored, "hono-secret"), std::nullopt) << stored.function << " " << stored.hash;
  }
}

// Fields are length-prefixed: moving bytes from one field to the next must change the key.
TEST(PasswordCache, FieldBoundariesAreUnambiguous) {
  password_cache cache(16, 1h);
  const password_hash stored{"sha-256", "ab", "cd"};
  cache.remember(stored, "ef", true);
  EXPECT_EQ(cache.lookup(password_hash{"sha-256", "abc", "d"}, "ef"), std::nullopt);
  EXPECT_EQ(cache.lookup(password_hash{"sha-256", "ab", "cde"}, "f"), std::nullopt);
  EXPECT_EQ(cache.lookup(password_hash{"sha-256", "ab", ""}, "cdef"), std::nullopt);
  EXPECT_EQ(cache.lookup(password_hash{"sha-25", "6ab", "cd"}, "ef"), std::nullopt);
  EXPECT_EQ(cache.lookup(password_hash{"sha-256", "ab", "cd"}, "ef\0"s), std::nullopt);
  EXPECT_EQ(cache.lookup(stored, "ef"), true);
}

TEST(PasswordCache, TwoCachesDoNotShareKeys) {
  password_cache first(16, 1h);
  password_cache second(16, 1h);
  first.remember(kDemo, "hono-secret", true);
  EXPECT_EQ(second.lookup(kDemo, "hono-secret"), std::nullopt);
}

TEST(PasswordCache, AlternatingCachesOnOneThreadKeepTheirOwnKeys) {
  password_cache first(16, 1h);
  password_cache second(16, 1h);
  first.remember(kDemo, "hono-secret", true);
  second.remember(kSha, "other", true);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(first.lookup(kDemo, "hono-secret"), true);
    EXPECT_EQ(second.lookup(kDemo, "hono-secret"), std::nullopt);
    EXPECT_EQ(second.lookup(kSha, "other"), true);
    EXPECT_EQ(first.lookup(kSha, "other"), std::nullopt);
  }
}

TEST(PasswordCache, EntriesRememberedOnOneThreadHitOnOthers) {
  password_cache cache(16, 1h);
  std::thread([&] { cache.remember(kSha, "pw", true); }).join();
  std::atomic<int> hits{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 100; ++i) hits += cache.lookup(kSha, "pw") == std::optional<bool>(true);
    });
  }
  for (auto& r : readers) r.join();
  EXPECT_EQ(hits.load(), 300);
  EXPECT_EQ(cache.lookup(kSha, "pw"), true);
}

TEST(PasswordCache, EntriesExpireAfterTheTtl) {
  password_cache cache(16, 20ms);
  cache.remember(kDemo, "hono-secret", true);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::optional<bool> seen = true;
  while (seen && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
    seen = cache.lookup(kDemo, "hono-secret");
  }
  EXPECT_EQ(seen, std::nullopt) << "the entry did not expire within 30 s";
  EXPECT_EQ(cache.size(), 0u) << "an expired entry is dropped when looked up";
}

TEST(PasswordCache, ExpiredEntriesMakeRoomBeforeLiveOnesAreEvicted) {
  password_cache cache(3, 20ms);
  cache.remember(kDemo, "one", true);
  cache.remember(kDemo, "two", true);
  // Both expire before this point on the same steady clock; wait for it without looking them up
  // (a lookup would drop them by itself).
  const auto both_expired = std::chrono::steady_clock::now() + 20ms;
  while (std::chrono::steady_clock::now() <= both_expired) std::this_thread::sleep_for(2ms);
  cache.remember(kDemo, "three", true);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.lookup(kDemo, "three"), true);
}

TEST(PasswordCache, CapacityBoundEvictsTheLeastRecentlyUsed) {
  password_cache cache(3, 1h);
  cache.remember(kDemo, "a", true);
  cache.remember(kDemo, "b", true);
  cache.remember(kDemo, "c", true);
  EXPECT_EQ(cache.lookup(kDemo, "a"), true);  // a is now the most recently used, b the least
  cache.remember(kDemo, "d", true);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.lookup(kDemo, "b"), std::nullopt);
  EXPECT_EQ(cache.lookup(kDemo, "a"), true);
  EXPECT_EQ(cache.lookup(kDemo, "c"), true);
  EXPECT_EQ(cache.lookup(kDemo, "d"), true);
  for (int i = 0; i < 1000; ++i) cache.remember(kDemo, "p" + std::to_string(i), i % 2 == 0);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.lookup(kDemo, "p999"), false);
  EXPECT_EQ(cache.lookup(kDemo, "p998"), true);
  EXPECT_EQ(cache.lookup(kDemo, "p996"), std::nullopt);
}

TEST(PasswordCache, ZeroCapacityNeverHits) {
  password_cache cache(0, 1h);
  cache.remember(kDemo, "hono-secret", true);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.lookup(kDemo, "hono-secret"), std::nullopt);
}

TEST(PasswordCache, Clear) {
  password_cache cache(16, 1h);
  cache.remember(kDemo, "hono-secret", true);
  cache.remember(kSha, "hono-secret", true);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.lookup(kDemo, "hono-secret"), std::nullopt);
  cache.remember(kDemo, "hono-secret", true);
  EXPECT_EQ(cache.lookup(kDemo, "hono-secret"), true);
}

TEST(PasswordCache, ConcurrentUse) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 2000;
  constexpr std::size_t kCapacity = 64;
  password_cache cache(kCapacity, 1h);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        // Each password's outcome is fixed (even length: matched), so any hit must agree with it.
        const std::string password = std::string(static_cast<std::size_t>(1 + (i + t) % 100), 'x');
        const bool matched = password.size() % 2 == 0;
        if (auto hit = cache.lookup(kDemo, password); hit && *hit != matched) ++wrong;
        cache.remember(kDemo, password, matched);
        if (i % 500 == 0 && t == 0) cache.clear();
        if (cache.size() > kCapacity) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.size(), kCapacity);
}

// Not a benchmark and no assertion on time: prints a rough figure next to the test output.
TEST(PasswordCache, ReportsRoughLookupRate) {
  password_cache cache(1024, 1h);
  cache.remember(kDemo, "hono-secret", true);
  constexpr int kLookups = 20000;
  int hits = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kLookups; ++i) hits += cache.lookup(kDemo, "hono-secret").value_or(false) ? 1 : 0;
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(hits, kLookups);
  std::printf("password_cache: %d hits in %.1f ms (%.0f lookups/s on one thread, this build's flags)\n", kLookups,
              took.count() * 1e3, kLookups / took.count());
}

}  // namespace
}  // namespace tributary::registry
