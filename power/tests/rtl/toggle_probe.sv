// Test design for the VCD toggle counter (power/tests/vcd_rtl_test.cpp): an 8-bit counter
// and a 16-bit LFSR whose per-cycle values the test recomputes in C++.
module toggle_probe (
  input  logic        clk_i,
  input  logic        rst_ni,
  output logic [7:0]  count_o,
  output logic [15:0] lfsr_o
);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      count_o <= 8'd0;
      lfsr_o  <= 16'hACE1;
    end else begin
      count_o <= count_o + 8'd1;
      lfsr_o  <= {lfsr_o[14:0], lfsr_o[15] ^ lfsr_o[13] ^ lfsr_o[12] ^ lfsr_o[10]};
    end
  end
endmodule
