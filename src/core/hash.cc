#include "core/hash.h"

#include <openssl/evp.h>
#include <xxhash.h>

namespace tailor {

uint64_t Hash64(std::string_view data, uint64_t seed) {
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

double UnitInterval(std::string_view key, std::string_view salt) {
  uint64_t h = Hash64(key, Hash64(salt));
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

}  // namespace tailor
