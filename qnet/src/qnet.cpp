// Loading and validation of model.json (docs/qnet-format.md).
#include "ecg/qnet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ecg/error.h"

#ifndef ECG_SIM_SOURCE_DIR
#define ECG_SIM_SOURCE_DIR "."
#endif

namespace ecg {

using nlohmann::json;
namespace fs = std::filesystem;

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::kInt: return "int";
    case Encoding::kBinary: return "binary";
    case Encoding::kPow2: return "pow2";
  }
  return "?";
}

const char* layer_type_name(LayerType t) {
  switch (t) {
    case LayerType::kConv1d: return "conv1d";
    case LayerType::kRequant: return "requant";
    case LayerType::kThreshold: return "threshold";
    case LayerType::kMaxPool: return "maxpool";
    case LayerType::kGSum: return "gsum";
    case LayerType::kDense: return "dense";
    case LayerType::kConcatAux: return "concat_aux";
  }
  return "?";
}

Range int_range(int bits, bool is_signed) {
  if (is_signed) return {-(std::int64_t{1} << (bits - 1)), (std::int64_t{1} << (bits - 1)) - 1};
  return {0, (std::int64_t{1} << bits) - 1};
}

std::uint64_t Tensor::storage_bytes() const {
  return (static_cast<std::uint64_t>(numel()) * static_cast<std::uint64_t>(bits) + 7) / 8;
}

int Network::tensor_index(const std::string& name) const {
  for (std::size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name) return static_cast<int>(i);
  return -1;
}

std::uint64_t Network::weight_storage_bytes() const {
  std::uint64_t total = 0;
  for (const Tensor& t : tensors) total += t.storage_bytes();
  return total;
}

std::uint64_t Network::macs_per_beat() const {
  std::uint64_t total = 0;
  for (const Layer& l : layers) total += l.macs;
  return total;
}

std::uint64_t Network::ops_per_beat() const {
  std::uint64_t total = 0;
  for (const Layer& l : layers) total += l.ops;
  return total;
}

std::size_t Network::max_activation() const {
  long m = input_shape.numel();
  for (const Layer& l : layers) m = std::max(m, l.out.numel());
  return static_cast<std::size_t>(m);
}

namespace {

// Reads typed values out of the JSON tree; every failure names the file and the key path.
class Reader {
 public:
  explicit Reader(std::string origin) : m_origin(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw InputError(fmt::format("{}: {}: {}", m_origin, path, problem));
  }

  const json& need(const json& obj, const std::string& key, const std::string& path) const {
    auto it = obj.find(key);
    if (it == obj.end()) fail(join(path, key), "missing key");
    return *it;
  }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  std::int64_t integer(const json& v, const std::string& path, std::int64_t lo, std::int64_t hi) const {
    if (!v.is_number_integer()) fail(path, fmt::format("expected an integer, got {}", brief(v)));
    std::int64_t x = 0;
    if (v.is_number_unsigned()) {
      auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        fail(path, fmt::format("value {} outside [{}, {}]", u, lo, hi));
      x = static_cast<std::int64_t>(u);
    } else {
      x = v.get<std::int64_t>();
    }
    if (x < lo || x > hi) fail(path, fmt::format("value {} outside [{}, {}]", x, lo, hi));
    return x;
  }

  int small_int(const json& obj, const std::string& key, const std::string& path, int lo, int hi,
                const int* dflt = nullptr) const {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (dflt) return *dflt;
      fail(join(path, key), "missing key");
    }
    return static_cast<int>(integer(*it, join(path, key), lo, hi));
  }

  bool boolean(const json& obj, const std::string& key, const std::string& path) const {
    const json& v = need(obj, key, path);
    if (!v.is_boolean()) fail(join(path, key), fmt::format("expected true/false, got {}", brief(v)));
    return v.get<bool>();
  }

  std::string string(const json& obj, const std::string& key, const std::string& path) const {
    const json& v = need(obj, key, path);
    if (!v.is_string()) fail(join(path, key), fmt::format("expected a string, got {}", brief(v)));
    return v.get<std::string>();
  }

  static std::string brief(const json& v) {
    std::string s = v.dump();
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return fmt::format("{} {}", v.type_name(), s);
  }

  const std::string& origin() const { return m_origin; }

 private:
  std::string m_origin;
};

std::string shape_str(const std::vector<int>& s) { return fmt::format("[{}]", fmt::join(s, ",")); }

bool is_pow2_value(std::int64_t v, int max_exp, bool is_signed) {
  if (v == 0) return true;
  if (v < 0) {
    if (!is_signed) return false;
    v = -v;
  }
  for (int e = 0; e <= max_exp; ++e)
    if (v == (std::int64_t{1} << e)) return true;
  return false;
}

Tensor parse_tensor(const Reader& r, const std::string& name, const json& j) {
  const std::string path = "tensors." + name;
  if (!j.is_object()) r.fail(path, "expected an object");
  Tensor t;
  t.name = name;
  const json& shape = r.need(j, "shape", path);
  if (!shape.is_array() || shape.empty()) r.fail(path + ".shape", "expected a non-empty array");
  std::uint64_t numel = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    t.shape.push_back(static_cast<int>(
        r.integer(shape[i], fmt::format("{}.shape[{}]", path, i), 1, 1 << 24)));
    numel *= static_cast<std::uint64_t>(t.shape.back());
    if (numel > (1u << 26)) r.fail(path + ".shape", "tensor too large");
  }
  t.bits = r.small_int(j, "bits", path, 1, 32);
  t.is_signed = r.boolean(j, "signed", path);
  const std::string enc = r.string(j, "encoding", path);
  if (enc == "int") {
    t.encoding = Encoding::kInt;
  } else if (enc == "binary") {
    t.encoding = Encoding::kBinary;
    if (t.bits != 1) r.fail(path + ".bits", fmt::format("binary tensors have bits 1, got {}", t.bits));
  } else if (enc == "pow2") {
    t.encoding = Encoding::kPow2;
    if (t.bits < 2) r.fail(path + ".bits", "pow2 tensors need at least 2 bits");
  } else {
    r.fail(path + ".encoding", fmt::format("unknown encoding '{}' (int, binary, pow2)", enc));
  }
  const json& data = r.need(j, "data", path);
  if (!data.is_array()) r.fail(path + ".data", "expected an array");
  if (data.size() != numel)
    r.fail(path + ".data", fmt::format("has {} values, shape {} needs {}", data.size(),
                                       shape_str(t.shape), numel));
  // pow2: a sign bit (when signed) plus an exponent field; one code is reserved for zero.
  const int exp_bits = t.bits - (t.is_signed ? 1 : 0);
  // (exponent fields of 5 bits and more already reach the cap; this also keeps 32-bit int
  // tensors from shifting into the sign bit)
  const int max_exp =
      exp_bits >= 5 ? 30 : std::min(30, t.is_signed ? (1 << exp_bits) - 1 : (1 << exp_bits) - 2);
  const Range range = int_range(t.bits, t.is_signed);
  t.data.resize(numel);
  for (std::size_t i = 0; i < numel; ++i) {
    const json& v = data[i];
    const std::string vpath = fmt::format("{}.data[{}]", path, i);
    std::int64_t x = r.integer(v, vpath, std::numeric_limits<std::int32_t>::min(),
                               std::numeric_limits<std::int32_t>::max());
    switch (t.encoding) {
      case Encoding::kInt:
        if (!range.contains(x))
          r.fail(vpath, fmt::format("value {} outside {}-bit {} range [{}, {}]", x, t.bits,
                                    t.is_signed ? "signed" : "unsigned", range.lo, range.hi));
        break;
      case Encoding::kBinary:
        if (x != 1 && x != -1) r.fail(vpath, fmt::format("value {} is not -1/+1 (binary)", x));
        break;
      case Encoding::kPow2:
        if (!is_pow2_value(x, max_exp, t.is_signed))
          r.fail(vpath, fmt::format("value {} is not 0 or {}2^e with e in [0, {}] ({}-bit pow2)", x,
                                    t.is_signed ? "+-" : "+", max_exp, t.bits));
        break;
    }
    t.data[i] = static_cast<std::int32_t>(x);
  }
  return t;
}

// Keys each layer type may carry (besides name/type/out_bits/out_signed). Anything else is
// an error: an unknown key may carry semantics the interpreter would silently ignore.
const std::map<std::string, std::set<std::string>>& layer_keys() {
  static const std::map<std::string, std::set<std::string>> keys = {
      {"conv1d", {"weight", "bias", "stride", "pad_left", "pad_right", "pad_value", "groups"}},
      {"requant", {"mult", "shift", "lo", "hi"}},
      {"threshold", {"t", "dir", "lo", "hi"}},
      {"maxpool", {"k", "stride", "pad_left", "pad_right"}},
      {"gsum", {}},
      {"dense", {"weight", "bias"}},
      {"concat_aux", {"count"}},
  };
  return keys;
}

class NetworkBuilder {
 public:
  NetworkBuilder(const Reader& r, Network& net) : m_r(r), m_net(net) {}

  int tensor_ref(const json& obj, const std::string& key, const std::string& path, bool required) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required) m_r.fail(Reader::join(path, key), "missing key");
      return -1;
    }
    if (!it->is_string()) m_r.fail(Reader::join(path, key), "expected a tensor name (string)");
    int idx = m_net.tensor_index(it->get<std::string>());
    if (idx < 0)
      m_r.fail(Reader::join(path, key), fmt::format("unknown tensor '{}'", it->get<std::string>()));
    return idx;
  }

  // A per-channel integer vector: an inline array of `c` integers, a single integer
  // (same for every channel) or the name of a tensor with `c` (or 1) elements.
  std::vector<std::int64_t> channel_vec(const json& obj, const std::string& key, const std::string& path,
                                        int c, std::int64_t lo, std::int64_t hi) {
    const std::string kpath = Reader::join(path, key);
    const json& v = m_r.need(obj, key, path);
    std::vector<std::int64_t> out;
    if (v.is_number()) {
      out.assign(static_cast<std::size_t>(c), m_r.integer(v, kpath, lo, hi));
    } else if (v.is_string()) {
      int idx = tensor_ref(obj, key, path, true);
      const Tensor& t = m_net.tensors[static_cast<std::size_t>(idx)];
      if (t.numel() != static_cast<std::size_t>(c) && t.numel() != 1)
        m_r.fail(kpath, fmt::format("tensor '{}' has {} values, expected {} (channels)", t.name,
                                    t.numel(), c));
      for (std::size_t i = 0; i < static_cast<std::size_t>(c); ++i) {
        std::int64_t x = t.data[t.numel() == 1 ? 0 : i];
        if (x < lo || x > hi)
          m_r.fail(kpath, fmt::format("tensor '{}' value {} at [{}] outside [{}, {}]", t.name, x, i, lo, hi));
        out.push_back(x);
      }
    } else if (v.is_array()) {
      if (v.size() != static_cast<std::size_t>(c))
        m_r.fail(kpath, fmt::format("has {} values, expected {} (channels)", v.size(), c));
      for (std::size_t i = 0; i < v.size(); ++i)
        out.push_back(m_r.integer(v[i], fmt::format("{}[{}]", kpath, i), lo, hi));
    } else {
      m_r.fail(kpath, fmt::format("expected an integer, an array or a tensor name, got {}", Reader::brief(v)));
    }
    return out;
  }

  void add_layer(const json& j, std::size_t index, Shape& cur, int& cur_bits, bool& cur_signed,
                 std::set<std::string>& names) {
    const std::string path = fmt::format("layers[{}]", index);
    if (!j.is_object()) m_r.fail(path, "expected an object");
    Layer L;
    L.name = j.contains("name") ? m_r.string(j, "name", path) : fmt::format("l{}", index);
    if (!names.insert(L.name).second) m_r.fail(path + ".name", fmt::format("duplicate layer name '{}'", L.name));
    const std::string type = m_r.string(j, "type", path);
    static const std::map<std::string, LayerType> types = {
        {"conv1d", LayerType::kConv1d},   {"requant", LayerType::kRequant},
        {"threshold", LayerType::kThreshold}, {"maxpool", LayerType::kMaxPool},
        {"gsum", LayerType::kGSum},       {"dense", LayerType::kDense},
        {"concat_aux", LayerType::kConcatAux}};
    auto ti = types.find(type);
    if (ti == types.end())
      m_r.fail(path + ".type", fmt::format("unknown layer type '{}' (conv1d, requant, threshold, maxpool, "
                                           "gsum, dense, concat_aux)", type));
    L.type = ti->second;
    const auto& allowed = layer_keys().at(type);
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& k = it.key();
      if (k == "name" || k == "type" || k == "out_bits" || k == "out_signed" || k == "comment" ||
          (!k.empty() && k[0] == '_') || allowed.count(k))
        continue;
      m_r.fail(Reader::join(path, k), fmt::format("unknown key for a {} layer", type));
    }
    L.out_bits = m_r.small_int(j, "out_bits", path, 1, 32);
    L.out_signed = m_r.boolean(j, "out_signed", path);
    L.in = cur;
    L.in_bits = cur_bits;
    L.in_signed = cur_signed;
    const Range out_range = int_range(L.out_bits, L.out_signed);
    const Range in_range = int_range(L.in_bits, L.in_signed);
    const auto i32min = std::numeric_limits<std::int32_t>::min();
    const auto i32max = std::numeric_limits<std::int32_t>::max();
    const int one = 1, zero = 0;
    const auto u64 = [](long v) { return static_cast<std::uint64_t>(v); };

    switch (L.type) {
      case LayerType::kConv1d: {
        L.weight = tensor_ref(j, "weight", path, true);
        L.bias = tensor_ref(j, "bias", path, false);
        L.stride = m_r.small_int(j, "stride", path, 1, 1 << 20, &one);
        L.pad_left = m_r.small_int(j, "pad_left", path, 0, 1 << 20, &zero);
        L.pad_right = m_r.small_int(j, "pad_right", path, 0, 1 << 20, &zero);
        L.groups = m_r.small_int(j, "groups", path, 1, 1 << 20, &one);
        L.pad_value = j.contains("pad_value")
                          ? static_cast<std::int32_t>(m_r.integer(j["pad_value"], path + ".pad_value",
                                                                  in_range.lo, in_range.hi))
                          : 0;
        const Tensor& w = m_net.tensors[static_cast<std::size_t>(L.weight)];
        L.weight_bits = w.bits;
        L.weight_encoding = w.encoding;
        if (w.shape.size() != 3)
          m_r.fail(path + ".weight", fmt::format("tensor '{}' has shape {}, expected [Cout][Cin/groups][K]",
                                                 w.name, shape_str(w.shape)));
        const int cout = w.shape[0], cin_g = w.shape[1];
        L.k = w.shape[2];
        if (cur.c % L.groups != 0 || cout % L.groups != 0)
          m_r.fail(path + ".groups", fmt::format("{} groups do not divide {} input / {} output channels",
                                                 L.groups, cur.c, cout));
        if (cin_g * L.groups != cur.c)
          m_r.fail(path + ".weight",
                   fmt::format("tensor '{}' shape {} expects {} input channels, the layer gets {}", w.name,
                               shape_str(w.shape), cin_g * L.groups, cur.c));
        check_bias(L, cout, path);
        const int span = cur.l + L.pad_left + L.pad_right - L.k;
        if (span < 0)
          m_r.fail(path, fmt::format("kernel {} longer than the padded input ({} + {} + {})", L.k, cur.l,
                                     L.pad_left, L.pad_right));
        L.out = {cout, span / L.stride + 1};
        L.macs = u64(L.out.numel()) * u64(cin_g) * u64(L.k);
        L.ops = 2 * L.macs;
        break;
      }
      case LayerType::kDense: {
        L.weight = tensor_ref(j, "weight", path, true);
        L.bias = tensor_ref(j, "bias", path, false);
        const Tensor& w = m_net.tensors[static_cast<std::size_t>(L.weight)];
        L.weight_bits = w.bits;
        L.weight_encoding = w.encoding;
        if (w.shape.size() != 2)
          m_r.fail(path + ".weight",
                   fmt::format("tensor '{}' has shape {}, expected [O][I]", w.name, shape_str(w.shape)));
        if (w.shape[1] != cur.numel())
          m_r.fail(path + ".weight",
                   fmt::format("tensor '{}' shape {} expects {} inputs, the layer gets {} ({}x{})", w.name,
                               shape_str(w.shape), w.shape[1], cur.numel(), cur.c, cur.l));
        check_bias(L, w.shape[0], path);
        L.out = {w.shape[0], 1};
        L.macs = u64(w.shape[0]) * u64(w.shape[1]);
        L.ops = 2 * L.macs;
        break;
      }
      case LayerType::kRequant: {
        L.lo = static_cast<std::int32_t>(m_r.integer(m_r.need(j, "lo", path), path + ".lo", out_range.lo, out_range.hi));
        L.hi = static_cast<std::int32_t>(m_r.integer(m_r.need(j, "hi", path), path + ".hi", out_range.lo, out_range.hi));
        if (L.lo > L.hi) m_r.fail(path, fmt::format("lo {} > hi {}", L.lo, L.hi));
        for (auto v : channel_vec(j, "mult", path, cur.c, i32min, i32max))
          L.mult.push_back(static_cast<std::int32_t>(v));
        for (auto v : channel_vec(j, "shift", path, cur.c, 0, 62)) L.shift.push_back(static_cast<int>(v));
        L.out = cur;
        L.ops = 2 * u64(cur.numel());  // multiply, round+shift (the clamp is wiring)
        break;
      }
      case LayerType::kThreshold: {
        L.lo = static_cast<std::int32_t>(m_r.integer(m_r.need(j, "lo", path), path + ".lo", out_range.lo, out_range.hi));
        L.hi = static_cast<std::int32_t>(m_r.integer(m_r.need(j, "hi", path), path + ".hi", out_range.lo, out_range.hi));
        for (auto v : channel_vec(j, "t", path, cur.c, i32min, i32max)) L.t.push_back(static_cast<std::int32_t>(v));
        std::size_t ci = 0;
        for (auto v : channel_vec(j, "dir", path, cur.c, -1, 1)) {
          if (v == 0) m_r.fail(fmt::format("{}.dir[{}]", path, ci), "dir must be +1 or -1, got 0");
          L.dir.push_back(static_cast<int>(v));
          ++ci;
        }
        L.out = cur;
        L.ops = u64(cur.numel());  // one compare
        break;
      }
      case LayerType::kMaxPool: {
        L.k = m_r.small_int(j, "k", path, 1, 1 << 20);
        L.stride = m_r.small_int(j, "stride", path, 1, 1 << 20, &L.k);
        L.pad_left = m_r.small_int(j, "pad_left", path, 0, L.k - 1, &zero);
        L.pad_right = m_r.small_int(j, "pad_right", path, 0, L.k - 1, &zero);
        const int span = cur.l + L.pad_left + L.pad_right - L.k;
        if (span < 0)
          m_r.fail(path, fmt::format("window {} longer than the padded input ({} + {} + {})", L.k, cur.l,
                                     L.pad_left, L.pad_right));
        L.out = {cur.c, span / L.stride + 1};
        L.ops = u64(L.out.numel()) * u64(L.k - 1);  // compares
        break;
      }
      case LayerType::kGSum:
        L.out = {cur.c, 1};
        L.ops = u64(cur.c) * u64(cur.l - 1);  // adds
        break;
      case LayerType::kConcatAux: {
        L.count = m_r.small_int(j, "count", path, 0, 1 << 20);
        if (L.count != m_net.input.aux_count())
          m_r.fail(path + ".count", fmt::format("count {} but input.aux '{}' provides {} values", L.count,
                                                m_net.input.aux, m_net.input.aux_count()));
        L.out = {static_cast<int>(cur.numel()) + L.count, 1};
        // The aux values are UINT8 (docs/qnet-format.md): the output format must hold 0..255.
        if (L.count > 0 && !(out_range.contains(0) && out_range.contains(255)))
          m_r.fail(path + ".out_bits", fmt::format("{}-bit {} cannot hold the UINT8 aux values", L.out_bits,
                                                   L.out_signed ? "signed" : "unsigned"));
        break;
      }
    }
    cur = L.out;
    cur_bits = L.out_bits;
    cur_signed = L.out_signed;
    m_net.layers.push_back(std::move(L));
  }

 private:
  void check_bias(const Layer& L, int cout, const std::string& path) {
    if (L.bias < 0) return;
    const Tensor& b = m_net.tensors[static_cast<std::size_t>(L.bias)];
    if (b.numel() != static_cast<std::size_t>(cout) || b.shape.size() != 1)
      m_r.fail(path + ".bias",
               fmt::format("tensor '{}' has shape {}, expected [{}]", b.name, shape_str(b.shape), cout));
  }

  const Reader& m_r;
  Network& m_net;
};

}  // namespace

Network parse_network(const std::string& json_text, const std::string& origin) {
  Reader r(origin);
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", origin, e.what()));
  }
  if (!root.is_object()) r.fail("(top level)", "expected a JSON object");
  Network net;
  net.origin = origin;
  const std::string format = r.string(root, "format", "");
  if (format != "ecg_sim.qnet/1")
    r.fail("format", fmt::format("unsupported format '{}' (expected ecg_sim.qnet/1)", format));
  net.arch = r.string(root, "arch", "");

  const json& input = r.need(root, "input", "");
  if (!input.is_object()) r.fail("input", "expected an object");
  net.input = input_spec_from_json_text(input.dump(), origin + ": input");
  if (net.input.length < 1) r.fail("input.length", "must be >= 1");
  if (net.input.bits < 1 || net.input.bits > 31) r.fail("input.bits", "must be in [1, 31]");
  net.input_shape = {1, net.input.length};

  const json& classes = r.need(root, "classes", "");
  if (!classes.is_array() || classes.empty()) r.fail("classes", "expected a non-empty array of strings");
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (!classes[i].is_string()) r.fail(fmt::format("classes[{}]", i), "expected a string");
    net.classes.push_back(classes[i].get<std::string>());
  }
  const std::vector<std::string> expected = label_classes(net.input.labels);
  if (net.classes != expected)
    r.fail("classes", fmt::format("[{}] differs from the classes of input.labels '{}': [{}]",
                                  fmt::join(net.classes, ","), net.input.labels, fmt::join(expected, ",")));

  const json& tensors = r.need(root, "tensors", "");
  if (!tensors.is_object()) r.fail("tensors", "expected an object of named tensors");
  for (auto it = tensors.begin(); it != tensors.end(); ++it)
    net.tensors.push_back(parse_tensor(r, it.key(), it.value()));

  const json& layers = r.need(root, "layers", "");
  if (!layers.is_array() || layers.empty()) r.fail("layers", "expected a non-empty array");
  NetworkBuilder builder(r, net);
  Shape cur = net.input_shape;
  int bits = net.input.bits;
  bool is_signed = net.input.is_signed;
  std::set<std::string> names;
  for (std::size_t i = 0; i < layers.size(); ++i) builder.add_layer(layers[i], i, cur, bits, is_signed, names);

  net.output = {static_cast<int>(net.classes.size()), 1};
  if (cur.c != net.output.c || cur.l != 1)
    r.fail(fmt::format("layers[{}]", layers.size() - 1),
           fmt::format("the last layer outputs {}x{}, expected {}x1 (one logit per class)", cur.c, cur.l,
                       net.output.c));
  return net;
}

Network load_network(const std::string& model_json_path) {
  std::ifstream in(model_json_path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open network file", model_json_path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_network(ss.str(), model_json_path);
}

std::string resolve_weights_dir(const std::string& cli_value) {
  std::error_code ec;
  if (!cli_value.empty()) {
    if (!fs::is_directory(cli_value, ec))
      throw InputError(fmt::format("--weights {}: no such directory", cli_value));
    return cli_value;
  }
  if (const char* env = std::getenv("ECG_SIM_WEIGHTS"); env && *env) {
    if (!fs::is_directory(env, ec))
      throw InputError(fmt::format("$ECG_SIM_WEIGHTS={}: no such directory", env));
    return env;
  }
  if (fs::is_directory("weights", ec)) return "weights";
  const std::string src = std::string(ECG_SIM_SOURCE_DIR) + "/weights";
  if (fs::is_directory(src, ec)) return src;
  throw InputError("--weights: no weights directory (tried ./weights and " + src + "); pass --weights DIR");
}

std::string model_path(const std::string& weights_dir, const std::string& arch) {
  return (fs::path(weights_dir) / arch / "model.json").string();
}

std::string task_model_path(const std::string& weights_dir, const std::string& arch, const std::string& task) {
  if (task == "paper") return model_path(weights_dir, arch);
  if (task != "aami") throw InputError(fmt::format("--task {}: unknown task (aami or paper)", task));
  const std::string aami = model_path((fs::path(weights_dir) / "aami").string(), arch);
  std::error_code ec;
  return fs::is_regular_file(aami, ec) ? aami : model_path(weights_dir, arch);
}

}  // namespace ecg
