// SPI slave (mode 0: SCLK idles low, MOSI/MISO sampled on the rising edge, changed on the
// falling edge, MSB first) for the board top's link to the wearable's MCU. SCLK, CS_N and MOSI
// are oversampled in the system clock (2-flop synchronizers, then edge detection), so the
// whole board is one clock domain; SCLK must stay at or below clk/8 and CS_N must fall at
// least one SCLK period before the first SCLK edge (docs/synth.md).
// Byte interface: rx_valid_o pulses with each received byte; tx_byte_i is taken (tx_load_o
// pulses) when CS_N falls and on the falling SCLK edge after each received byte, and is
// shifted out during the next byte slot.
module board_spi (
  input  logic       clk_i,
  input  logic       rst_ni,
  // pins
  input  logic       spi_sclk_i,
  input  logic       spi_cs_ni,
  input  logic       spi_mosi_i,
  output logic       spi_miso_o,
  // byte side
  output logic       frame_start_o,
  output logic       frame_end_o,
  output logic       rx_valid_o,
  output logic [7:0] rx_byte_o,
  output logic       tx_load_o,
  input  logic [7:0] tx_byte_i
);
  logic [2:0] sclk_q, cs_q;
  logic [1:0] mosi_q;
  logic [6:0] rx_q;
  logic [7:0] tx_q;
  logic [2:0] bit_q;
  logic       load_pend_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sclk_q <= 3'b000;
      cs_q   <= 3'b111;
      mosi_q <= 2'b00;
    end else begin
      sclk_q <= {sclk_q[1:0], spi_sclk_i};
      cs_q   <= {cs_q[1:0], spi_cs_ni};
      mosi_q <= {mosi_q[0], spi_mosi_i};
    end
  end

  logic active, sclk_rise, sclk_fall;
  assign active        = !cs_q[1];
  assign sclk_rise     = active && sclk_q[1] && !sclk_q[2];
  assign sclk_fall     = active && !sclk_q[1] && sclk_q[2];
  assign frame_start_o = !cs_q[1] && cs_q[2];
  assign frame_end_o   = cs_q[1] && !cs_q[2];
  assign rx_valid_o    = sclk_rise && (bit_q == 3'd7);
  assign rx_byte_o     = {rx_q, mosi_q[1]};
  assign tx_load_o     = frame_start_o || (sclk_fall && load_pend_q);
  assign spi_miso_o    = active && tx_q[7];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rx_q        <= '0;
      tx_q        <= '0;
      bit_q       <= '0;
      load_pend_q <= 1'b0;
    end else if (frame_start_o) begin
      bit_q       <= '0;
      load_pend_q <= 1'b0;
      tx_q        <= tx_byte_i;
    end else begin
      if (sclk_rise) begin
        rx_q  <= {rx_q[5:0], mosi_q[1]};
        bit_q <= bit_q + 3'd1;
        if (bit_q == 3'd7) load_pend_q <= 1'b1;
      end
      if (sclk_fall) begin
        if (load_pend_q) begin
          tx_q        <= tx_byte_i;
          load_pend_q <= 1'b0;
        end else begin
          tx_q <= {tx_q[6:0], 1'b0};
        end
      end
    end
  end
endmodule
