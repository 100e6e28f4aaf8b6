// What the synthesis checks must reject (synth/tests/flow_test.sh): a 64 x 32-bit table with
// an asynchronous read (it cannot map to block RAM and becomes 2048 flip-flops) addressed
// through a run-time divide and modulo. Engine ports as the ECG engines.
module synth_bad_engine #(
  parameter int unsigned MaxClasses = 8
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
  logic [31:0] tab [64];
  logic [31:0] div_q, sum_q;
  logic        done_q;
  logic [5:0]  idx;

  assign idx          = 6'((in_data_i / div_q) % 32'd61);
  assign in_ready_o   = !done_q;
  assign out_valid_o  = done_q;
  assign out_class_o  = 8'd0;
  assign out_logits_o = {{(MaxClasses-1)*32{1'b0}}, sum_q};
  assign reg_rdata_o  = div_q;

  always_ff @(posedge clk_i) begin
    if (reg_we_i && reg_addr_i[31:28] == 4'd2) tab[reg_addr_i[5:0]] <= reg_wdata_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      div_q  <= 32'd1;
      sum_q  <= '0;
      done_q <= 1'b0;
    end else begin
      if (reg_we_i && reg_addr_i == 32'd8) div_q <= reg_wdata_i;
      if (in_valid_i && in_ready_o) begin
        sum_q  <= sum_q + tab[idx];
        done_q <= 1'b1;
      end
      if (out_valid_o && out_ready_i) done_q <= 1'b0;
    end
  end
endmodule
