#include "kafka/broker/sasl.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <optional>

#include "common/base64.h"

namespace tributary::kafka::broker {
namespace {

const EVP_MD* digest_of(const std::string& mechanism) {
  if (mechanism == "SCRAM-SHA-256") return EVP_sha256();
  if (mechanism == "SCRAM-SHA-512") return EVP_sha512();
  return nullptr;
}

std::string hmac(const EVP_MD* md, const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string hash(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

scram_credential derive(const EVP_MD* md, const std::string& password, const std::string& salt, int iterations) {
  std::string salted(static_cast<std::size_t>(EVP_MD_get_size(md)), '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, md, static_cast<int>(salted.size()),
                    reinterpret_cast<unsigned char*>(salted.data()));
  return {salt, iterations, hash(md, hmac(md, salted, "Client Key")), hmac(md, salted, "Server Key")};
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

// "a=1,b=2" -> the value of `key`, or nullopt.
std::optional<std::string> attribute(const std::string& message, char key) {
  std::size_t pos = 0;
  while (pos <= message.size()) {
    const auto end = message.find(',', pos);
    const std::string part = message.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (part.size() >= 2 && part[0] == key && part[1] == '=') return part.substr(2);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

// RFC 5802 §5.1 saslname: "=2C" is ',' and "=3D" is '='.
std::optional<std::string> unescape_name(const std::string& name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '=') {
      out += name[i];
    } else if (name.compare(i, 3, "=2C") == 0) {
      out += ',';
      i += 2;
    } else if (name.compare(i, 3, "=3D") == 0) {
      out += '=';
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> sasl_mechanisms() { return {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}; }

void sasl_users::add(const std::string& name, const std::string& password) {
  add_with_salt(name, password, random_bytes(16), 4096);
}

void sasl_users::add_with_salt(const std::string& name, const std::string& password, const std::string& salt,
                               int iterations) {
  plain_[name] = password;
  for (const char* m : {"SCRAM-SHA-256", "SCRAM-SHA-512"}) scram_[m][name] = derive(digest_of(m), password, salt, iterations);
}

bool sasl_users::check_plain(const std::string& name, const std::string& password) const {
  auto it = plain_.find(name);
  return it != plain_.end() && it->second.size() == password.size() &&
         CRYPTO_memcmp(it->second.data(), password.data(), password.size()) == 0;
}

const scram_credential* sasl_users::scram(const std::string& mechanism, const std::string& name) const {
  auto m = scram_.find(mechanism);
  if (m == scram_.end()) return nullptr;
  auto u = m->second.find(name);
  return u == m->second.end() ? nullptr : &u->second;
}

std::unique_ptr<sasl_exchange> sasl_exchange::start(const std::string& mechanism, const sasl_users& users) {
  return start(mechanism, users, base64_encode(random_bytes(18)));
}

std::unique_ptr<sasl_exchange> sasl_exchange::start(const std::string& mechanism, const sasl_users& users,
                                                    std::string server_nonce) {
  if (mechanism != "PLAIN" && !digest_of(mechanism)) return nullptr;
  return std::unique_ptr<sasl_exchange>(new sasl_exchange(mechanism, users, std::move(server_nonce)));
}

sasl_exchange::step sasl_exchange::respond(const std::string& token) {
  ++round_;
  if (mechanism_ == "PLAIN") return plain(token);
  if (round_ == 1) return scram_first(token);
  if (round_ == 2) return scram_final(token);
  return {state::failed, {}, "unexpected SASL token after the exchange ended"};
}

sasl_exchange::step sasl_exchange::plain(const std::string& token) {
  // authzid NUL authcid NUL passwd (RFC 4616 §2)
  const auto first = token.find('\0');
  const auto second = first == std::string::npos ? std::string::npos : token.find('\0', first + 1);
  if (second == std::string::npos) return {state::failed, {}, "malformed PLAIN token"};
  const std::string authzid = token.substr(0, first);
  const std::string user = token.substr(first + 1, second - first - 1);
  const std::string password = token.substr(second + 1);
  if (!authzid.empty() && authzid != user) return {state::failed, {}, "authorization id must be empty or the user"};
  if (!users_.check_plain(user, password)) {
    return {state::failed, {}, "Authentication failed: Invalid username or password"};
  }
  principal_ = user;
  return {state::succeeded, {}, {}};
}

sasl_exchange::step sasl_exchange::scram_first(const std::string& token) {
  // gs2-header "n,," (no channel binding, no authzid) then client-first-message-bare.
  if (token.rfind("n,", 0) != 0 && token.rfind("y,", 0) != 0) {
    return {state::failed, {}, "SCRAM: channel binding is not supported"};
  }
  const auto bare_start = token.find(',', 2);
  if (bare_start == std::string::npos) return {state::failed, {}, "SCRAM: malformed client-first-message"};
  client_first_bare_ = token.substr(bare_start + 1);
  auto name = attribute(client_first_bare_, 'n');
  auto nonce = attribute(client_first_bare_, 'r');
  if (!name || !nonce || nonce->empty()) return {state::failed, {}, "SCRAM: client-first-message needs n= and r="};
  auto user = unescape_name(*name);
  if (!user) return {state::failed, {}, "SCRAM: malformed user name"};
  credential_ = users_.scram(mechanism_, *user);
  if (!credential_) return {state::failed, {}, "Authentication failed: Invalid user credentials"};
  principal_ = *user;
  client_nonce_ = *nonce;
  nonce_ = *nonce + server_nonce_;
  server_first_ = "r=" + nonce_ + ",s=" + base64_encode(credential_->salt) + ",i=" + std::to_string(credential_->iterations);
  return {state::in_progress, server_first_, {}};
}

sasl_exchange::step sasl_exchange::scram_final(const std::string& token) {
  const auto proof_pos = token.rfind(",p=");
  if (proof_pos == std::string::npos) return {state::failed, {}, "SCRAM: client-final-message has no proof"};
  const std::string without_proof = token.substr(0, proof_pos);
  auto nonce = attribute(without_proof, 'r');
  auto proof = base64_decode(token.substr(proof_pos + 3));
  // RFC 5802 wants the combined nonce echoed. librdkafka 2.0.2 (Debian 12) sends its client nonce
  // once more in front of it; that still binds the exchange to our server nonce, so it is accepted.
  if (!nonce || (*nonce != nonce_ && *nonce != client_nonce_ + nonce_)) return {state::failed, {}, "SCRAM: nonce mismatch"};
  const EVP_MD* md = digest_of(mechanism_);
  if (!proof || proof->size() != credential_->stored_key.size()) return {state::failed, {}, "SCRAM: malformed proof"};
  const std::string auth_message = client_first_bare_ + "," + server_first_ + "," + without_proof;
  const std::string client_signature = hmac(md, credential_->stored_key, auth_message);
  std::string client_key(proof->size(), '\0');
  for (std::size_t i = 0; i < client_key.size(); ++i) client_key[i] = static_cast<char>((*proof)[i] ^ client_signature[i]);
  const std::string stored = hash(md, client_key);
  if (CRYPTO_memcmp(stored.data(), credential_->stored_key.data(), stored.size()) != 0) {
    principal_.clear();
    return {state::failed, {}, "Authentication failed: Invalid user credentials"};
  }
  return {state::succeeded, "v=" + base64_encode(hmac(md, credential_->server_key, auth_message)), {}};
}

}  // namespace tributary::kafka::broker
