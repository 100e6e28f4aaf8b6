// Element-wise write-back unit (requant or threshold fused after a MAC/pool pass), two
// pipeline halves with one register between them (latency 1):
//   cycle 1: p = x * mult (XBits x MultBits), threshold compare -> registers
//   cycle 2: requant y = clamp((p + (shift > 0 ? 1 << (shift-1) : 0)) >>> shift, lo, hi),
//            threshold y = (dir ? x >= thr : x <= thr) ? hi : lo, none y = x
// Arithmetic (floor) shift, as docs/qnet-format.md specifies; exact for every |x| < 2^(XBits-1).
module prim_wb #(
  parameter int unsigned XBits    = 24,
  parameter int unsigned MultBits = 16,
  parameter int unsigned ThrBits  = 24,
  parameter int unsigned OutBits  = 16,  // lo/hi and y
  localparam int unsigned PBits   = XBits + MultBits
) (
  input  logic                clk_i,
  // cycle 1
  input  logic [1:0]          ew_i,     // 0 none, 1 requant, 2 threshold
  input  logic [XBits-1:0]    x_i,
  input  logic [MultBits-1:0] mult_i,
  input  logic [4:0]          shift_i,
  input  logic [ThrBits-1:0]  thr_i,
  input  logic                dir_i,
  input  logic [OutBits-1:0]  lo_i,
  input  logic [OutBits-1:0]  hi_i,
  // cycle 2
  output logic [OutBits-1:0]  y_o
);
  logic signed [PBits-1:0] prod_q;
  logic [OutBits-1:0]      x_q;
  logic [1:0]              ew_q;
  logic [4:0]              shift_q;
  logic                    pass_q;  // threshold result
  logic [OutBits-1:0]      lo_q, hi_q;

  always_ff @(posedge clk_i) begin
    prod_q  <= PBits'($signed(x_i)) * PBits'($signed(mult_i));
    x_q     <= OutBits'(x_i);
    ew_q    <= ew_i;
    shift_q <= shift_i;
    pass_q  <= dir_i ? ($signed(x_i) >= $signed(XBits'($signed(thr_i))))
                     : ($signed(x_i) <= $signed(XBits'($signed(thr_i))));
    lo_q    <= lo_i;
    hi_q    <= hi_i;
  end

  logic signed [PBits-1:0] rnd, scaled;
  assign rnd    = (shift_q == '0) ? '0 : (PBits'(1) <<< (shift_q - 5'd1));
  assign scaled = (prod_q + rnd) >>> shift_q;

  always_comb begin
    unique case (ew_q)
      2'd1: begin
        if (scaled < PBits'($signed(lo_q)))      y_o = lo_q;
        else if (scaled > PBits'($signed(hi_q))) y_o = hi_q;
        else                                     y_o = scaled[OutBits-1:0];
      end
      2'd2:    y_o = pass_q ? hi_q : lo_q;
      default: y_o = x_q;
    endcase
  end
endmodule
