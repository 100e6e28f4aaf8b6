// Element-wise write-back unit (requant or threshold fused after a MAC/pool pass), pipelined
// for a small FPGA's clock (Latency = 3 registers, then the clamp):
//   cycle 1: p = x * mult (XBits x MultBits: DSP; none: x * 1), threshold compare     -> regs
//   cycle 2: t = (2p) >>> shift                                                          -> regs
//   cycle 3: scaled = (t + 1) >>> 1                                                      -> regs
//   cycle 4 (combinational y_o): requant y = clamp(scaled, lo, hi), threshold y = pass ? hi : lo,
//            none y = scaled (= x)
// scaled = (p + (shift > 0 ? 1 << (shift-1) : 0)) >>> shift, as docs/qnet-format.md specifies
// (arithmetic, floor): with q = p >>> (shift-1), floor((p + 2^(shift-1)) / 2^shift) =
// floor((q + 1) / 2); shift 0 gives (2p + 1) >>> 1 = p. Exact for every |x| < 2^(XBits-1). ew_i/x_i/mult_i/shift_i/
// thr_i/dir_i are taken in cycle 1; lo_i/hi_i are used in cycle 4 (the engine holds them for
// the whole pass: they are descriptor fields).
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
  // cycle 4
  input  logic [OutBits-1:0]  lo_i,
  input  logic [OutBits-1:0]  hi_i,
  output logic [OutBits-1:0]  y_o
);
  localparam int unsigned TBits = PBits + 1;
  logic signed [PBits-1:0] prod_q, scaled_q;
  logic signed [TBits-1:0] t_q;
  logic [1:0]              ew1_q, ew2_q, ew3_q;
  logic [4:0]              sh1_q;
  logic                    pass1_q, pass2_q, pass3_q;  // threshold result
  logic [MultBits-1:0]     mult;
  logic [TBits-1:0]        t_inc;

  assign mult  = (ew_i == 2'd0) ? MultBits'(1) : mult_i;  // none: the value itself
  assign t_inc = t_q + 1'b1;

  always_ff @(posedge clk_i) begin
    // cycle 1 -> 2
    prod_q  <= PBits'($signed(x_i)) * PBits'($signed(mult));
    ew1_q   <= ew_i;
    sh1_q   <= (ew_i == 2'd0) ? 5'd0 : shift_i;
    pass1_q <= dir_i ? ($signed(x_i) >= $signed(XBits'($signed(thr_i))))
                     : ($signed(x_i) <= $signed(XBits'($signed(thr_i))));
    // cycle 2 -> 3
    t_q     <= $signed({prod_q, 1'b0}) >>> sh1_q;
    ew2_q   <= ew1_q;
    pass2_q <= pass1_q;
    // cycle 3 -> 4
    scaled_q <= t_inc[TBits-1:1];
    ew3_q    <= ew2_q;
    pass3_q  <= pass2_q;
  end

  always_comb begin
    unique case (ew3_q)
      2'd1: begin
        if (scaled_q < PBits'($signed(lo_i)))      y_o = lo_i;
        else if (scaled_q > PBits'($signed(hi_i))) y_o = hi_i;
        else                                       y_o = scaled_q[OutBits-1:0];
      end
      2'd2:    y_o = pass3_q ? hi_i : lo_i;
      default: y_o = scaled_q[OutBits-1:0];
    endcase
  end

  logic unused;
  assign unused = t_inc[0];
endmodule
