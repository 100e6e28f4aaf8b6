// Write-back unit of one PE: element-wise layer fused after a pass.
//   requant:   y = clamp((x * mult + (shift > 0 ? 1 << (shift-1) : 0)) >>> shift, lo, hi)
//   threshold: y = (dir ? x >= t : x <= t) ? hi : lo
// 64-bit product, arithmetic (floor) shift, as docs/qnet-format.md specifies.
module seq_wb import seq_pkg::*; (
  input  logic [1:0]  ew_i,
  input  logic [31:0] x_i,
  input  logic [31:0] mult_i,
  input  logic [5:0]  shift_i,
  input  logic [31:0] thr_i,
  input  logic        dir_i,
  input  logic [31:0] lo_i,
  input  logic [31:0] hi_i,
  output logic [31:0] y_o
);
  logic signed [63:0] prod, rnd, scaled;
  logic ge, le;

  assign prod   = $signed(x_i) * $signed(mult_i);
  assign rnd    = (shift_i == '0) ? 64'sd0 : (64'sd1 <<< (shift_i - 6'd1));
  assign scaled = (prod + rnd) >>> shift_i;
  assign ge     = $signed(x_i) >= $signed(thr_i);
  assign le     = $signed(x_i) <= $signed(thr_i);

  always_comb begin
    unique case (ew_i)
      EwRequant: begin
        if (scaled < 64'($signed(lo_i)))      y_o = lo_i;
        else if (scaled > 64'($signed(hi_i))) y_o = hi_i;
        else                                  y_o = scaled[31:0];
      end
      EwThresh: y_o = (dir_i ? ge : le) ? hi_i : lo_i;
      default:  y_o = x_i;
    endcase
  end
endmodule
