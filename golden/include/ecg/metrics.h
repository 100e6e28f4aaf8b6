#pragma once
// Classification metrics of a run, AAMI EC57 style: confusion matrix (rows = reference,
// columns = predicted), accuracy, and per class sensitivity Se = TP/(TP+FN), positive
// predictivity +P = TP/(TP+FP) and F1 = 2 Se +P / (Se + +P). A ratio whose denominator
// is 0 (no reference / no predicted beats of the class) is undefined: NaN here, "-" in the table, 0 in the JSON report (listed under "undefined").
#include <cstdint>
#include <string>
#include <vector>

namespace ecg {

struct ClassStats {
  long tp = 0, fn = 0, fp = 0;
  double se = 0, ppv = 0, f1 = 0;
};

struct Metrics {
  std::vector<std::string> classes;
  std::vector<std::vector<long>> confusion;  // [reference][predicted]
  long beats = 0;
  long correct = 0;
  double accuracy = 0;  // NaN when there are no beats
  std::vector<ClassStats> per_class;
};

// `reference[i]` and `predicted[i]` are class indices in [0, classes.size()); throws
// std::invalid_argument otherwise.
Metrics compute_metrics(const std::vector<std::string>& classes, const std::vector<int>& reference,
                        const std::vector<int>& predicted);

// Human-readable summary: accuracy, per-class Se/+P/F1 with counts, confusion matrix.
// `unit` names what was classified ("beats", or "windows" for rhythm tasks).
std::string format_metrics_table(const Metrics& m, const std::string& unit = "beats");

}  // namespace ecg
