// Board top: one ECG engine behind a 4-wire SPI link to the wearable's MCU, plus an irq pin
// (result ready). Seven pins in all (clock, reset button, SCLK, CS_N, MOSI, MISO, IRQ), so the
// engine places on a small FPGA. The engine module is chosen at elaboration time by the macro
// ECG_BOARD_ENGINE (default seq_engine) and its parameters by ECG_BOARD_ENGINE_PARAMS, e.g.
// `.Pe(4),.Simd(8),` (synth/ passes those of the Verilated variant being built; docs/synth.md).
// board_link documents the SPI commands; the engine sees its usual valid/ready streams and
// register/load port.
`ifndef ECG_BOARD_ENGINE
`define ECG_BOARD_ENGINE seq_engine
`endif
`ifndef ECG_BOARD_ENGINE_PARAMS
`define ECG_BOARD_ENGINE_PARAMS
`endif
module board_top #(
  parameter int unsigned MaxClasses = 8
) (
  input  logic clk_i,
  input  logic rst_ni,      // active-low reset button
  input  logic spi_sclk_i,
  input  logic spi_cs_ni,
  input  logic spi_mosi_i,
  output logic spi_miso_o,
  output logic irq_o
);
  // Reset: asserted asynchronously, released synchronously (2 flops).
  logic [1:0] rst_sync_q;
  logic       rst_n;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rst_sync_q <= 2'b00;
    else         rst_sync_q <= {rst_sync_q[0], 1'b1};
  end
  assign rst_n = rst_sync_q[1];

  logic       frame_start, frame_end, rx_valid, tx_load;
  logic [7:0] rx_byte, tx_byte;

  board_spi u_spi (
    .clk_i        (clk_i),
    .rst_ni       (rst_n),
    .spi_sclk_i   (spi_sclk_i),
    .spi_cs_ni    (spi_cs_ni),
    .spi_mosi_i   (spi_mosi_i),
    .spi_miso_o   (spi_miso_o),
    .frame_start_o(frame_start),
    .frame_end_o  (frame_end),
    .rx_valid_o   (rx_valid),
    .rx_byte_o    (rx_byte),
    .tx_load_o    (tx_load),
    .tx_byte_i    (tx_byte)
  );

  logic                     in_valid, in_ready, out_valid, out_ready, reg_we;
  logic [31:0]              in_data, reg_addr, reg_wdata, reg_rdata;
  logic [7:0]               out_class;
  logic [MaxClasses*32-1:0] out_logits;

  board_link #(
    .MaxClasses(MaxClasses)
  ) u_link (
    .clk_i        (clk_i),
    .rst_ni       (rst_n),
    .frame_start_i(frame_start),
    .frame_end_i  (frame_end),
    .rx_valid_i   (rx_valid),
    .rx_byte_i    (rx_byte),
    .tx_load_i    (tx_load),
    .tx_byte_o    (tx_byte),
    .irq_o        (irq_o),
    .in_valid_o   (in_valid),
    .in_ready_i   (in_ready),
    .in_data_o    (in_data),
    .out_valid_i  (out_valid),
    .out_ready_o  (out_ready),
    .out_class_i  (out_class),
    .out_logits_i (out_logits),
    .reg_we_o     (reg_we),
    .reg_addr_o   (reg_addr),
    .reg_wdata_o  (reg_wdata),
    .reg_rdata_i  (reg_rdata)
  );

  `ECG_BOARD_ENGINE #(
    `ECG_BOARD_ENGINE_PARAMS
    .MaxClasses(MaxClasses)
  ) u_engine (
    .clk_i       (clk_i),
    .rst_ni      (rst_n),
    .in_valid_i  (in_valid),
    .in_ready_o  (in_ready),
    .in_data_i   (in_data),
    .out_valid_o (out_valid),
    .out_ready_i (out_ready),
    .out_class_o (out_class),
    .out_logits_o(out_logits),
    .reg_we_i    (reg_we),
    .reg_addr_i  (reg_addr),
    .reg_wdata_i (reg_wdata),
    .reg_rdata_o (reg_rdata)
  );
endmodule
