// The board top's SPI link (rtl/board/) at the pins: a bit-banged SPI master (mode 0, SCLK =
// clk/16) drives board_top with the flow's test engine (tests/synth/synth_mini_engine.sv:
// logit 0 = sum of sample * weight) through every command: status byte, WRITE (weights and a
// CSR), READ (CSR words, auto-increment), SAMPLES (with the in_room flow control and the
// overflow flag), RESULT (irq, class, logits, freed on CS_N rising).
#include "Vboard_mini.h"
#include "verilated.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace {

constexpr std::uint8_t kWrite = 0x01, kRead = 0x02, kSamples = 0x03, kResult = 0x04;

class Board {
 public:
  Board() : m_top(std::make_unique<Vboard_mini>(&m_ctx)) {
    m_top->clk_i = 0;
    m_top->rst_ni = 0;
    m_top->spi_cs_ni = 1;
    m_top->spi_sclk_i = 0;
    m_top->spi_mosi_i = 0;
    cycles(4);
    m_top->rst_ni = 1;
    cycles(4);
  }
  void cycles(int n) {
    for (int i = 0; i < n; ++i) {
      m_top->clk_i = 0;
      m_top->eval();
      m_top->clk_i = 1;
      m_top->eval();
    }
  }
  // One transaction: CS_N low, the bytes out (MOSI), the bytes in (MISO), CS_N high.
  std::vector<std::uint8_t> frame(const std::vector<std::uint8_t>& out) {
    std::vector<std::uint8_t> in;
    m_top->spi_cs_ni = 0;
    cycles(kHalf);
    for (std::uint8_t b : out) {
      std::uint8_t r = 0;
      for (int bit = 7; bit >= 0; --bit) {
        m_top->spi_mosi_i = (b >> bit) & 1;
        cycles(kHalf);
        r = static_cast<std::uint8_t>((r << 1) | (m_top->spi_miso_o & 1));  // sampled at the rising edge
        m_top->spi_sclk_i = 1;
        cycles(kHalf);
        m_top->spi_sclk_i = 0;
      }
      in.push_back(r);
    }
    cycles(kHalf);
    m_top->spi_cs_ni = 1;
    cycles(2 * kHalf);
    return in;
  }
  static void put32(std::vector<std::uint8_t>& v, std::uint32_t w) {
    for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<std::uint8_t>(w >> s));
  }
  static std::uint32_t get32(const std::vector<std::uint8_t>& v, std::size_t at) {
    return (std::uint32_t{v[at]} << 24) | (std::uint32_t{v[at + 1]} << 16) | (std::uint32_t{v[at + 2]} << 8) | v[at + 3];
  }
  std::uint8_t status() { return frame({0x00})[0]; }
  void write(std::uint32_t addr, const std::vector<std::uint32_t>& words) {
    std::vector<std::uint8_t> f{kWrite};
    put32(f, addr);
    for (auto w : words) put32(f, w);
    frame(f);
  }
  std::vector<std::uint32_t> read(std::uint32_t addr, std::size_t n) {
    std::vector<std::uint8_t> f{kRead};
    put32(f, addr);
    f.resize(f.size() + 1 + 4 * n, 0);  // dummy byte, then the words
    const auto in = frame(f);
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(get32(in, 6 + 4 * i));
    return out;
  }
  std::uint8_t samples(const std::vector<std::uint32_t>& words) {
    std::vector<std::uint8_t> f{kSamples};
    for (auto w : words) put32(f, w);
    return frame(f)[0];
  }
  bool irq() const { return m_top->irq_o != 0; }

 private:
  static constexpr int kHalf = 8;  // clock cycles per half SCLK period
  VerilatedContext m_ctx;
  std::unique_ptr<Vboard_mini> m_top;
};

constexpr std::uint32_t kWeights = 0x2000'0000, kCsrLen = 8;

TEST(BoardLink, StatusAndRegisterReads) {
  Board b;
  const std::uint8_t s = b.status();
  EXPECT_EQ(s >> 4, 0xA);  // magic
  EXPECT_EQ(s & 0x7, 0x2);  // in_room, no overflow, no result
  EXPECT_FALSE(b.irq());
  b.write(kCsrLen, {5});
  EXPECT_EQ(b.read(0, 1)[0], 0xEC6500FFu);  // the engine's id (reg_rdata of address 0)
  EXPECT_EQ(b.read(kCsrLen, 1)[0], 5u);
  const auto two = b.read(0, 2);  // auto-increment: address 0, then 1 (len_q)
  EXPECT_EQ(two[0], 0xEC6500FFu);
  EXPECT_EQ(two[1], 5u);
}

TEST(BoardLink, BeatThroughTheLink) {
  Board b;
  const std::vector<std::int16_t> w = {3, -7, 12, 100, -2};
  const std::vector<std::int16_t> x = {1000, -20, 5, 7, -300};
  std::vector<std::uint32_t> ww(w.begin(), w.end());
  for (auto& v : ww) v &= 0xFFFF;
  b.write(kWeights, ww);  // auto-increment: taps 0..4
  b.write(kCsrLen, {5});
  std::int32_t expect = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    expect += x[i] * w[i];
    EXPECT_TRUE(b.status() & 0x2) << "in_room before sample " << i;
    b.samples({static_cast<std::uint32_t>(static_cast<std::uint16_t>(x[i]))});
  }
  b.cycles(8);
  ASSERT_TRUE(b.irq());
  EXPECT_TRUE(b.status() & 0x1);
  std::vector<std::uint8_t> f(1 + 1 + 8 * 4, 0);
  f[0] = kResult;
  const auto in = b.frame(f);
  EXPECT_EQ(in[1], 0);                                      // class
  EXPECT_EQ(static_cast<std::int32_t>(Board::get32(in, 2 + 7 * 4)), expect);  // logit 0 (the low word, sent last)
  for (int c = 0; c < 7; ++c) EXPECT_EQ(Board::get32(in, 2 + 4 * c), 0u);
  b.cycles(4);
  EXPECT_FALSE(b.irq());  // freed on CS_N rising; the engine takes the next beat
  b.samples({1});
  b.samples({1, 1, 1, 1});
  b.cycles(8);
  EXPECT_TRUE(b.irq());
}

TEST(BoardLink, OverflowWhenTheEngineIsBusy) {
  Board b;
  b.write(kWeights, {1});
  b.write(kCsrLen, {1});  // one-sample beats
  // Nobody reads the results: the link's result register, the engine's output and the link's
  // sample register fill up, then in_room clears.
  int sent = 0;
  while ((b.status() & 0x2) && sent < 8) {
    b.samples({5});
    b.cycles(8);
    ++sent;
  }
  EXPECT_EQ(sent, 3);
  EXPECT_TRUE(b.irq());
  b.samples({7});  // dropped
  EXPECT_TRUE(b.status() & 0x4) << "overflow reported";
  EXPECT_FALSE(b.status() & 0x4) << "overflow cleared once reported";
}

}  // namespace
