// A small engine with the ECG engines' ports (streams + register/load port), used to test the
// synthesis flow (synth/) independently of the real engines: a Taps x 16-bit weight RAM
// (synchronous read: block RAM), one 16x16 multiply-accumulate per input sample, and the
// accumulator as logit 0 after InLen samples. Writes: addr[31:28] = 2 weight (addr[15:0] tap),
// addr[31:28] = 0 CSR (word 8: samples per beat). Reads: CSR 0 = 0xEC65_00FF.
module synth_mini_engine #(
  parameter int unsigned Taps       = 1024,
  parameter int unsigned MaxClasses = 8,
  localparam int unsigned TapAw     = $clog2(Taps)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic                     in_valid_i,
  output logic                     in_ready_o,
  input  logic [31:0]              in_data_i,
  output logic                     out_valid_o,
  input  logic                     out_ready_i,
  output logic [7:0]               out_class_o,
  output logic [MaxClasses*32-1:0] out_logits_o,
  input  logic                     reg_we_i,
  input  logic [31:0]              reg_addr_i,
  input  logic [31:0]              reg_wdata_i,
  output logic [31:0]              reg_rdata_o
);
  logic [15:0]      wgt_mem [Taps];
  logic [15:0]      w_q;
  logic [15:0]      x_q;
  logic [TapAw-1:0] tap_q;
  logic [31:0]      len_q, acc_q;
  logic             mac_q, last_q, done_q;

  assign in_ready_o   = !done_q;
  assign out_valid_o  = done_q;
  logic unused_in;
  assign unused_in = ^in_data_i[31:16];
  assign out_class_o  = 8'd0;
  assign out_logits_o = {{(MaxClasses-1)*32{1'b0}}, acc_q};
  assign reg_rdata_o  = (reg_addr_i == 32'd0) ? 32'hEC65_00FF : len_q;

  always_ff @(posedge clk_i) begin
    if (reg_we_i && reg_addr_i[31:28] == 4'd2) wgt_mem[reg_addr_i[TapAw-1:0]] <= reg_wdata_i[15:0];
    w_q <= wgt_mem[tap_q];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      len_q  <= 32'd1;
      tap_q  <= '0;
      x_q    <= '0;
      acc_q  <= '0;
      mac_q  <= 1'b0;
      last_q <= 1'b0;
      done_q <= 1'b0;
    end else begin
      if (reg_we_i && reg_addr_i == 32'd8) len_q <= reg_wdata_i;
      mac_q  <= in_valid_i && in_ready_o;
      last_q <= in_valid_i && in_ready_o && (32'(tap_q) + 32'd1 == len_q);
      if (in_valid_i && in_ready_o) begin
        x_q   <= in_data_i[15:0];
        tap_q <= (32'(tap_q) + 32'd1 == len_q) ? '0 : tap_q + 1'b1;
      end
      if (mac_q) acc_q <= acc_q + 32'(signed'(x_q) * signed'(w_q));
      if (mac_q && last_q) done_q <= 1'b1;
      if (out_valid_o && out_ready_i) begin
        done_q <= 1'b0;
        acc_q  <= '0;
      end
    end
  end
endmodule
