// The persistent format of fitted model data (Recommender::Serialize / Deserialize).
//
// Layout: magic "TLRM", u32 format version (kModelBlobVersion), the model's registry name
// (u32 length + bytes), then the model's own payload. Every integer and float is
// little-endian; arrays are a u64 element count followed by the elements. The reader
// checks every length against the bytes left, so truncated or corrupt data fails with
// kCorruption (never a crash or an allocation larger than the input).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/status.h"

namespace tailor::recommenders {

inline constexpr char kModelBlobMagic[4] = {'T', 'L', 'R', 'M'};
inline constexpr uint32_t kModelBlobVersion = 1;

namespace blob_internal {

template <typename T>
void StoreLE(T v, char* out) {
  static_assert(std::is_arithmetic_v<T>);
  using U = std::conditional_t<sizeof(T) == 1, uint8_t,
                               std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>;
  static_assert(sizeof(U) == sizeof(T));
  U u;
  std::memcpy(&u, &v, sizeof(T));
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((u >> (8 * i)) & 0xff);
}

template <typename T>
T LoadLE(const char* in) {
  using U = std::conditional_t<sizeof(T) == 1, uint8_t,
                               std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>;
  U u = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    u |= static_cast<U>(static_cast<U>(static_cast<uint8_t>(in[i])) << (8 * i));
  T v;
  std::memcpy(&v, &u, sizeof(T));
  return v;
}

}  // namespace blob_internal

class BlobWriter {
 public:
  // Starts a blob of model `model` (writes the header).
  explicit BlobWriter(std::string_view model) {
    out_.append(kModelBlobMagic, 4);
    Put<uint32_t>(kModelBlobVersion);
    Str(model);
  }

  template <typename T>
  void Put(T v) {
    char b[sizeof(T)];
    blob_internal::StoreLE(v, b);
    out_.append(b, sizeof(T));
  }
  void Str(std::string_view s) {
    Put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  // u64 count + the elements.
  template <typename T>
  void Array(const T* data, size_t n) {
    Put<uint64_t>(n);
    if constexpr (std::endian::native == std::endian::little) {
      out_.append(reinterpret_cast<const char*>(data), n * sizeof(T));
    } else {
      for (size_t i = 0; i < n; ++i) Put<T>(data[i]);
    }
  }
  template <typename T>
  void Array(const std::vector<T>& v) {
    Array(v.data(), v.size());
  }
  // u64 length + the bytes (a nested blob).
  void Bytes(std::string_view s) {
    Put<uint64_t>(s.size());
    out_.append(s);
  }

  std::string Finish() && { return std::move(out_); }

 private:
  std::string out_;
};

class BlobReader {
 public:
  explicit BlobReader(std::string_view data) : d_(data) {}

  // Checks the header: magic, format version and that the blob belongs to `model`.
  Status Header(std::string_view model) {
    if (d_.size() < 4 || std::memcmp(d_.data(), kModelBlobMagic, 4) != 0)
      return Corruption("model data: bad magic");
    pos_ = 4;
    uint32_t version = 0;
    std::string name;
    if (!Get(&version) || !Str(&name)) return Corruption("model data: truncated header");
    if (version != kModelBlobVersion)
      return Corruption("model data: unknown format version " + std::to_string(version));
    if (name != model)
      return Corruption("model data of model '" + name + "', not '" + std::string(model) + "'");
    return Status::OK();
  }

  template <typename T>
  bool Get(T* v) {
    if (d_.size() - pos_ < sizeof(T)) return false;
    *v = blob_internal::LoadLE<T>(d_.data() + pos_);
    pos_ += sizeof(T);
    return true;
  }
  bool Str(std::string* s) {
    uint32_t n = 0;
    if (!Get(&n) || d_.size() - pos_ < n) return false;
    s->assign(d_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  // Reads an array written by BlobWriter::Array; `expected` (unless UINT64_MAX) must match the
  // stored count.
  template <typename T>
  bool Array(std::vector<T>* v, uint64_t expected = UINT64_MAX) {
    uint64_t n = 0;
    if (!Get(&n)) return false;
    if (expected != UINT64_MAX && n != expected) return false;
    if (n > (d_.size() - pos_) / sizeof(T)) return false;
    v->resize(n);
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(v->data(), d_.data() + pos_, n * sizeof(T));
      pos_ += n * sizeof(T);
    } else {
      for (auto& x : *v) Get(&x);
    }
    return true;
  }
  // Reads exactly n elements of an array into `out` (a count mismatch fails).
  template <typename T>
  bool ArrayInto(T* out, uint64_t n) {
    uint64_t stored = 0;
    if (!Get(&stored) || stored != n) return false;
    if (n > (d_.size() - pos_) / sizeof(T)) return false;
    if constexpr (std::endian::native == std::endian::little) {
      if (n > 0) std::memcpy(out, d_.data() + pos_, n * sizeof(T));
      pos_ += n * sizeof(T);
    } else {
      for (uint64_t i = 0; i < n; ++i) Get(&out[i]);
    }
    return true;
  }
  bool Bytes(std::string_view* s) {
    uint64_t n = 0;
    if (!Get(&n) || d_.size() - pos_ < n) return false;
    *s = d_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // Bytes not read yet.
  size_t remaining() const { return d_.size() - pos_; }
  bool AtEnd() const { return pos_ == d_.size(); }

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

}  // namespace tailor::recommenders
