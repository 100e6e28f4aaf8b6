// `--mode golden`: the bit-exact integer reference (golden/), parallel over beats. It
// models no hardware, so it reports no cycles or clock.
#include <memory>

#include "ecg/run/backend.h"
#include "ecg/infer.h"

namespace ecg {
namespace {

class GoldenBackend final : public Backend {
 public:
  explicit GoldenBackend(const BackendContext& ctx) : m_threads(ctx.threads) {}
  std::string mode() const override { return "golden"; }
  void run(const Network& net, const std::vector<Beat>& beats, std::vector<BeatOutcome>& out,
           Progress& progress) override {
    std::vector<int> pred;
    std::vector<std::vector<std::int32_t>> logits;
    classify_beats(net, beats, pred, logits, m_threads, [&](std::size_t n) { progress.advance(n); });
    out.resize(beats.size());
    for (std::size_t i = 0; i < beats.size(); ++i) {
      out[i].predicted = pred[i];
      out[i].logits = std::move(logits[i]);
    }
  }

 private:
  int m_threads;
};

const bool kRegistered = register_backend(
    "golden", [](const BackendContext& ctx) { return std::make_unique<GoldenBackend>(ctx); });

}  // namespace
}  // namespace ecg
