#include "ecg/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ecg {

namespace {
double ratio(long num, long den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : std::numeric_limits<double>::quiet_NaN();
}

std::string pct(double v) { return std::isnan(v) ? std::string("   -  ") : fmt::format("{:6.2f}", 100.0 * v); }
}  // namespace

Metrics compute_metrics(const std::vector<std::string>& classes, const std::vector<int>& reference,
                        const std::vector<int>& predicted) {
  if (reference.size() != predicted.size())
    throw std::invalid_argument("compute_metrics: reference and predicted differ in length");
  const std::size_t n = classes.size();
  Metrics m;
  m.classes = classes;
  m.confusion.assign(n, std::vector<long>(n, 0));
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const int r = reference[i], p = predicted[i];
    if (r < 0 || p < 0 || static_cast<std::size_t>(r) >= n || static_cast<std::size_t>(p) >= n)
      throw std::invalid_argument(fmt::format("compute_metrics: beat {} has class {} / {} outside [0, {})", i, r, p, n));
    ++m.confusion[static_cast<std::size_t>(r)][static_cast<std::size_t>(p)];
  }
  m.beats = static_cast<long>(reference.size());
  m.per_class.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    ClassStats& s = m.per_class[c];
    s.tp = m.confusion[c][c];
    for (std::size_t k = 0; k < n; ++k) {
      if (k == c) continue;
      s.fn += m.confusion[c][k];
      s.fp += m.confusion[k][c];
    }
    m.correct += s.tp;
    s.se = ratio(s.tp, s.tp + s.fn);
    s.ppv = ratio(s.tp, s.tp + s.fp);
    s.f1 = ratio(2 * s.tp, 2 * s.tp + s.fn + s.fp);  // = 2 Se +P / (Se + +P)
  }
  m.accuracy = ratio(m.correct, m.beats);
  return m;
}

std::string format_metrics_table(const Metrics& m, const std::string& unit) {
  std::size_t w = 5;
  for (const auto& c : m.classes) w = std::max(w, c.size());
  std::string out = fmt::format("{} {}  accuracy {}%\n\n", unit, m.beats, pct(m.accuracy));
  out += fmt::format("{:<{}}  {:>8}  {:>6}  {:>6}  {:>6}  {:>7}  {:>7}  {:>7}\n", "class", w, unit, "Se%", "+P%", "F1%",
                     "TP", "FN", "FP");
  for (std::size_t c = 0; c < m.classes.size(); ++c) {
    const ClassStats& s = m.per_class[c];
    out += fmt::format("{:<{}}  {:>8}  {}  {}  {}  {:>7}  {:>7}  {:>7}\n", m.classes[c], w, s.tp + s.fn, pct(s.se),
                       pct(s.ppv), pct(s.f1), s.tp, s.fn, s.fp);
  }
  out += fmt::format("\nconfusion (rows = reference, columns = predicted)\n{:<{}}", "", w);
  std::size_t cw = 7;
  for (const auto& row : m.confusion)
    for (long v : row) cw = std::max(cw, fmt::format("{}", v).size() + 1);
  for (const auto& c : m.classes) out += fmt::format(" {:>{}}", c, cw);
  out += "\n";
  for (std::size_t r = 0; r < m.classes.size(); ++r) {
    out += fmt::format("{:<{}}", m.classes[r], w);
    for (long v : m.confusion[r]) out += fmt::format(" {:>{}}", v, cw);
    out += "\n";
  }
  return out;
}

}  // namespace ecg
