// VCD toggle counting on hand-written waveforms (every rule of the counter exercised).
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ecg/error.h"
#include "ecg/power/vcd.h"
#include "ecg/power/vcd_fifo.h"
#include "vcd_reference.h"

namespace ecg::power {
namespace {

const char* kVcd = R"($date today $end
$version hand $end
$timescale 1ps $end
$scope module top $end
$var wire 1 ! clk $end
$var wire 4 " data [3:0] $end
$scope module u_pe $end
$var wire 4 " din [3:0] $end
$var reg 8 # acc [7:0] $end
$upscope $end
$var real 64 $ r $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
0!
b0000 "
bx #
r0.5 $
$end
#1
1!
b1111 "
#2
0!
b101 "
b00000001 #
#3
1!
b1 #
bz #
b11 #
$comment mid-run comment $end
#4
0!
b0 "
r1.5 $
)";

VcdToggles parse(const std::string& s) {
  std::istringstream in(s);
  return count_vcd_toggles(in, "hand.vcd");
}

TEST(Vcd, CountsBitTransitions) {
  VcdToggles v = parse(kVcd);
  ASSERT_EQ(v.signals.size(), 4u);
  EXPECT_EQ(v.timescale, "1ps");
  EXPECT_EQ(v.first_time, 0u);
  EXPECT_EQ(v.last_time, 4u);
  // clk: 0 -> 1 -> 0 -> 1 -> 0: 4 toggles ($dumpvars value not counted).
  EXPECT_EQ(v.signals[0].path, "top.clk");
  EXPECT_EQ(v.signals[0].toggles, 4u);
  // data: 0000 -> 1111 (4) -> 0101 (b101 zero-extended: 2) -> 0000 (2) = 8.
  EXPECT_EQ(v.signals[1].path, "top.data[3:0]");
  ASSERT_EQ(v.signals[1].aliases.size(), 1u);
  EXPECT_EQ(v.signals[1].aliases[0], "top.u_pe.din[3:0]");
  EXPECT_EQ(v.signals[1].width, 4);
  EXPECT_EQ(v.signals[1].toggles, 8u);
  // acc: x -> 00000001 (x: not counted) -> 00000001 (0) -> zzzzzzzz (z: not counted) ->
  // 00000011 (from z: not counted) = 0.
  EXPECT_EQ(v.signals[2].toggles, 0u);
  EXPECT_EQ(v.signals[3].toggles, 0u);  // real
  EXPECT_EQ(v.total_toggles(), 12u);
  EXPECT_EQ(v.value_changes, 4u + 2 + 3 + 4 + 3);
}

TEST(Vcd, AnyChunkingGivesTheSameCounts) {
  const std::string text = kVcd;
  VcdToggles whole = parse(text);
  VcdToggleCounter c("bytes");
  for (char ch : text) c.feed(&ch, 1);
  const VcdToggles& bytes = c.finish();
  ASSERT_EQ(bytes.signals.size(), whole.signals.size());
  for (std::size_t i = 0; i < whole.signals.size(); ++i)
    EXPECT_EQ(bytes.signals[i].toggles, whole.signals[i].toggles) << whole.signals[i].path;
  EXPECT_EQ(bytes.value_changes, whole.value_changes);
}

// A random waveform in Verilator's style (full-width vectors, codes from '!', several
// identifier characters) plus what the standard allows beside it (short vectors extended,
// x/z, upper case, aliases, scalar changes of vectors, $dumpall, $comment): the streaming
// counter, fed in random chunks, gives the plain reference counter's toggles per signal.
std::string random_vcd(std::mt19937& rng, std::size_t n_signals, std::size_t n_steps, bool long_ids) {
  std::uniform_int_distribution<int> any(0, 1 << 30);
  auto code = [](std::size_t c) {  // Verilator's VerilatedVcd::writeCode
    std::string s(1, static_cast<char>('!' + c % 94));
    c /= 94;
    while (c) {
      --c;
      s += static_cast<char>('!' + c % 94);
      c /= 94;
    }
    return s;
  };
  std::vector<int> width(n_signals);
  std::vector<std::string> ids(n_signals);
  std::ostringstream o;
  o << "$timescale 1ps $end\n$scope module top $end\n";
  for (std::size_t i = 0; i < n_signals; ++i) {
    const int kind = any(rng) % 10;
    width[i] = kind < 3 ? 1 : kind < 6 ? 1 + any(rng) % 32 : kind < 8 ? 33 + any(rng) % 64 : 97 + any(rng) % 300;
    ids[i] = code(i * 97 + static_cast<std::size_t>(any(rng) % 97));  // sparse, 1-3 characters
    if (long_ids) ids[i] += "~~~";  // keys beyond the flat table: the hash-map lookup
    o << "$var wire " << width[i] << ' ' << ids[i] << " s" << i << " $end\n";
    if (any(rng) % 8 == 0) o << "$var wire " << width[i] << ' ' << ids[i] << " alias" << i << " $end\n";
  }
  o << "$upscope $end\n$enddefinitions $end\n";
  auto value = [&](std::size_t i, bool full) {
    const int w = width[i];
    const int n = full ? w : 1 + any(rng) % w;
    const int style = any(rng) % 16;  // mostly 0/1; sometimes x, z or a bad-free mix
    std::string v;
    for (int k = 0; k < n; ++k) {
      const int r = any(rng) % 64;
      char c = static_cast<char>('0' + (r & 1));
      if (style == 0 && r < 8) c = "xXzZ"[r % 4];
      if (style == 1) c = k == 0 ? "xz"[r % 2] : c;
      v += c;
    }
    if (w == 1 && any(rng) % 2) return v + ids[i];
    return (any(rng) % 8 == 0 ? "B" : "b") + v + ' ' + ids[i];
  };
  o << "#0\n$dumpvars\n";
  for (std::size_t i = 0; i < n_signals; ++i) o << value(i, true) << '\n';
  o << "$end\n";
  for (std::size_t t = 1; t <= n_steps; ++t) {
    o << '#' << t * 5 << '\n';
    if (any(rng) % 50 == 0) o << "$comment step " << t << " $end\n";
    if (any(rng) % 60 == 0) {
      o << "$dumpall\n";
      for (std::size_t i = 0; i < n_signals; ++i) o << value(i, true) << '\n';
      o << "$end\n";
      continue;
    }
    for (std::size_t i = 0; i < n_signals; ++i)
      if (any(rng) % 3 == 0) o << value(i, any(rng) % 4 != 0) << (any(rng) % 5 == 0 ? "\r\n" : "\n");
  }
  return o.str();
}

TEST(Vcd, StreamingCounterMatchesThePlainReference) {
  std::mt19937 rng(12);
  for (int round = 0; round < 6; ++round) {
    const std::string text = random_vcd(rng, 20 + 40 * static_cast<std::size_t>(round), 200, round == 5);
    const testing::ReferenceToggles ref = testing::reference_toggles(text);
    VcdToggleCounter c("random.vcd");
    std::uniform_int_distribution<std::size_t> cut(1, round % 2 ? 7 : 5000);
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t n = std::min(cut(rng), text.size() - at);
      const std::string chunk = text.substr(at, n);  // its own buffer, freed after feed()
      c.feed(chunk.data(), chunk.size());
      at += n;
    }
    const VcdToggles& v = c.finish();
    ASSERT_EQ(v.signals.size(), ref.toggles.size());
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < ref.toggles.size(); ++i) {
      EXPECT_EQ(v.signals[i].toggles, ref.toggles[i]) << "round " << round << " signal " << v.signals[i].path;
      total += ref.toggles[i];
    }
    EXPECT_EQ(v.value_changes, ref.value_changes);
    EXPECT_GT(total, 1000u);  // the waveform does toggle
  }
}

TEST(Vcd, BlocksByFirstMatchingRule) {
  VcdToggles v = parse(kVcd);
  auto rules = parse_block_rules(
      nlohmann::json::parse(R"({"rules": [{"block": "datapath", "match": "\\.u_pe\\."},
                                          {"block": "clock", "match": "\\.clk$"}]})"),
      "rules.json");
  auto b = toggles_by_block(v, rules);
  EXPECT_EQ(b.at("datapath"), 8);  // data matched through its alias u_pe.din
  EXPECT_EQ(b.at("clock"), 4);
  EXPECT_EQ(b.at("unassigned"), 0);  // acc (0 toggles) and r
}

TEST(Vcd, FifoCounterWithAWriterAndWithout) {
  {
    ecg::power::VcdFifoCounter c;
    std::ofstream(c.path()) << kVcd;  // the writer opens, writes, closes
    EXPECT_EQ(c.finish().total_toggles(), 12u);
  }
  {
    ecg::power::VcdFifoCounter c;
    c.abort();  // nobody ever wrote: no hang
  }
  {
    ecg::power::VcdFifoCounter c;  // destroyed without finish(): no hang
  }
  ecg::power::VcdFifoCounter c;
  std::ofstream(c.path()) << "$var wire 1 ! a $end\n";  // truncated header
  EXPECT_THROW(c.finish(), InputError);
}

TEST(Vcd, MalformedInputNamesFileAndLine) {
  auto msg = [](const std::string& s) {
    try {
      parse(s);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const std::string head = "$scope module t $end\n$var wire 2 ! a $end\n$upscope $end\n$enddefinitions $end\n";
  EXPECT_NE(msg(head + "#0\nb01 ?\n").find("hand.vcd:6: value change for undeclared identifier \"?\""),
            std::string::npos)
      << msg(head + "#0\nb01 ?\n");
  EXPECT_NE(msg(head + "#0\nb011 !\n").find("3 bits, declared 2"), std::string::npos);
  EXPECT_NE(msg(head + "#5\n#4\n").find("time goes backwards"), std::string::npos);
  EXPECT_NE(msg(head + "#0\nb0q !\n").find("bad bit"), std::string::npos);
  EXPECT_NE(msg("$var wire 1 ! a\n").find("unterminated"), std::string::npos);
  EXPECT_NE(msg("$scope module t $end\n").find("no $enddefinitions"), std::string::npos);
  EXPECT_THROW(count_vcd_toggles_file("/nonexistent.vcd"), InputError);
  EXPECT_THROW(parse_block_rules(nlohmann::json::parse(R"({"rules": [{"block": "a", "match": "("}]})"), "r"),
               InputError);
}

}  // namespace
}  // namespace ecg::power
