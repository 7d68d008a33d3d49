// sasl: the server side of SASL PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, RFC 7677) for
// Kafka clients, as a per-connection state machine over tokens (no I/O). Users and their salted
// SCRAM keys live in sasl_users, built once at start-up and read-only afterwards; passwords are not
// kept for SCRAM, only the salted keys. Never logs secrets.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tributary::kafka::broker {

struct scram_credential {
  std::string salt;
  int iterations = 4096;
  std::string stored_key;
  std::string server_key;
};

class sasl_users {
 public:
  // Adds a user for every mechanism (PLAIN keeps the password; SCRAM keeps salted keys).
  void add(const std::string& name, const std::string& password);
  // For tests: a user with a fixed salt, as in the RFC examples.
  void add_with_salt(const std::string& name, const std::string& password, const std::string& salt, int iterations);
  bool check_plain(const std::string& name, const std::string& password) const;
  const scram_credential* scram(const std::string& mechanism, const std::string& name) const;
  bool empty() const { return plain_.empty(); }

 private:
  std::map<std::string, std::string> plain_;
  std::map<std::string, std::map<std::string, scram_credential>> scram_;  // mechanism -> user -> keys
};

std::vector<std::string> sasl_mechanisms();  // PLAIN, SCRAM-SHA-256, SCRAM-SHA-512

// One authentication exchange on one connection.
class sasl_exchange {
 public:
  enum class state { in_progress, succeeded, failed };
  struct step {
    state st;
    std::string challenge;  // token to send back (may be empty)
    std::string error;      // why it failed, for the client's error_message and the log (no secrets)
  };

  // nullptr for a mechanism we do not offer.
  static std::unique_ptr<sasl_exchange> start(const std::string& mechanism, const sasl_users& users);
  // For tests: a fixed server nonce.
  static std::unique_ptr<sasl_exchange> start(const std::string& mechanism, const sasl_users& users,
                                              std::string server_nonce);

  step respond(const std::string& token);
  const std::string& principal() const { return principal_; }
  const std::string& mechanism() const { return mechanism_; }

 private:
  sasl_exchange(std::string mechanism, const sasl_users& users, std::string nonce)
      : mechanism_(std::move(mechanism)), users_(users), server_nonce_(std::move(nonce)) {}
  step plain(const std::string& token);
  step scram_first(const std::string& token);
  step scram_final(const std::string& token);

  std::string mechanism_;
  const sasl_users& users_;
  std::string server_nonce_;
  int round_ = 0;
  std::string principal_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string client_nonce_;
  std::string nonce_;
  const scram_credential* credential_ = nullptr;
};

}  // namespace tributary::kafka::broker
