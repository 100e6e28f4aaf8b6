#pragma once
// The golden integer interpreter: runs a qnet Network on one beat exactly as
// docs/qnet-format.md specifies (64-bit products, requant round-half-up then floor shift,
// clamps, thresholds, maxpool ignoring padding, first-max argmax). Every layer's output is
// checked against its declared out_bits/out_signed (skipped where the bound is proven when
// the interpreter is built). Pure C++, no SystemC.
//
// Speed: weights are preprocessed once; a beat allocates nothing; accumulators are 32-bit
// where the worst-case sum provably fits (else 64-bit); binary layers whose inputs are
// provably +-1 use XNOR/popcount. Fast paths give results identical to the reference
// loops (`Options::fast = false`), which the tests check.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ecg/beats.h"
#include "ecg/qnet.h"

namespace ecg {

// First index of the maximum of v[0..n).
int argmax_first(const std::int32_t* v, std::size_t n);

class Interpreter {
 public:
  struct Options {
    bool fast = true;  // false: plain reference loops with 64-bit accumulation everywhere
  };
  // Keeps a reference to `net` (which must outlive the interpreter) and precomputes the plan.
  explicit Interpreter(const Network& net);
  Interpreter(const Network& net, Options opt);
  ~Interpreter();
  Interpreter(Interpreter&&) noexcept;
  Interpreter& operator=(Interpreter&&) = delete;
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // One beat: `input` has net.input.length values, `aux` net.input.aux_count() values
  // (may be null when 0). Writes net.classes.size() logits and returns the predicted class.
  // Throws InputError when the input is outside the input spec's range or a layer output
  // leaves its declared range. Not thread-safe: use one Interpreter per thread.
  int run(const std::int32_t* input, const std::int32_t* aux, std::int32_t* logits);
  int run(const Beat& beat, std::vector<std::int32_t>& logits);
  // Same, and stores every layer's output (flattened row-major C*L) in `layers`.
  int run_traced(const std::vector<std::int32_t>& input, const std::vector<std::int32_t>& aux,
                 std::vector<std::vector<std::int32_t>>& layers);

  const Network& network() const;
  // How layer i is computed: "xnor", "acc32", "acc64" (conv1d/dense), "-" otherwise.
  std::string kernel(std::size_t layer) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Classifies beats[i] into out_pred[i] / out_logits[i] with `threads` workers (0 = all
// hardware threads), each with its own Interpreter. `on_done(n)` (optional) is called from
// the calling thread with the number of beats finished so far. Errors name the beat
// (record:sample).
void classify_beats(const Network& net, const std::vector<Beat>& beats, std::vector<int>& out_pred,
                    std::vector<std::vector<std::int32_t>>& out_logits, int threads,
                    const std::function<void(std::size_t)>& on_done = {});

}  // namespace ecg
