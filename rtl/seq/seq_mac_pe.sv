// One processing element of the seq engine: reduces one chunk (a word of Simd activation
// lanes of ABits, or Simd*ABits 1-bit lanes) against its slice of the weight row to one
// partial sum. Combinational; the engine registers psum_o.
//   MAC, int lanes:    sum of a[s] * w[s]        (MacInt, and MacXnor with intw_i: INT<WBits>)
//   MAC, pow2 lanes:   sum of +-(a[s] << e[s])   (MacPow2: code {sign, e+1}, e+1 = 0 is zero)
//   MAC, binary lanes: 2 * popcount(XNOR(a, w) & valid) - valid  (MacXnor with bin_i: the
//                      word's low XnorLanes bits; no multiplier)
//   lane-wise (max/sum ops): the activation of lane sel_i * Pe + PeIdx
// (Depthwise passes, OpDw, are MACs: the loader zeroes every weight lane of a PE's row but the
// lane of its channel, so the reduction is that lane's product.)
// Lanes at or above nvalid_i contribute nothing. Sums use balanced adder trees.
module seq_mac_pe #(
  parameter int unsigned Simd    = 8,
  parameter int unsigned ABits   = 8,
  parameter int unsigned WBits   = 4,
  parameter int unsigned MacKind = 0,
  parameter int unsigned Pe      = 4,
  parameter int unsigned PeIdx   = 0,
  parameter int unsigned AccBits = 24,
  parameter int unsigned XnorLanes = Simd * ABits,                       // 1-bit lanes (MacXnor)
  localparam int unsigned Aw     = Simd * ABits,                         // word bits
  localparam int unsigned WLane  = (MacKind == 1 && XnorLanes > Simd * WBits) ? XnorLanes
                                                                          : Simd * WBits,  // weight bits per PE
  localparam int unsigned CntW   = $clog2(Aw + 1),
  localparam int unsigned NGrp   = (Simd / Pe > 0) ? Simd / Pe : 1,
  localparam int unsigned SelW   = (NGrp > 1) ? $clog2(NGrp) : 1
) (
  input  logic               lanewise_i,  // max/sum op: pick one lane
  input  logic               bin_i,       // binary lanes (MacXnor)
  input  logic               intw_i,      // MacXnor: INT<WBits> weight lanes
  input  logic               signed_i,    // activation lanes are signed
  input  logic [CntW-1:0]    nvalid_i,    // valid lanes (binary: bits) of this chunk
  input  logic [SelW-1:0]    sel_i,       // lane-wise: lane group
  input  logic [Aw-1:0]      act_i,
  input  logic [WLane-1:0]   w_i,
  output logic [AccBits-1:0] psum_o
);
  // Multi-bit lanes: activation (ABits, signed or not) times the weight code.
  localparam int unsigned MaxE  = (MacKind == 2) ? (1 << (WBits - 1)) - 2 : 0;
  localparam int unsigned ProdW = (MacKind == 2) ? ABits + 2 + MaxE : ABits + 1 + WBits;
  localparam int unsigned TreeW = ProdW + ((Simd > 1) ? $clog2(Simd) : 0);

  logic [Simd*ProdW-1:0] prods;
  for (genvar s = 0; s < Simd; s++) begin : g_lane
    logic signed [ABits:0]   a;
    logic [WBits-1:0]        w;
    logic signed [ProdW-1:0] p;
    assign a = {signed_i & act_i[s*ABits + ABits - 1], act_i[s*ABits +: ABits]};
    assign w = w_i[s*WBits +: WBits];
    if (MacKind == 2) begin : g_pow2
      logic [WBits-2:0] e1;
      logic signed [ProdW-1:0] sh;
      assign e1 = w[WBits-2:0];
      assign sh = (e1 == '0) ? '0 : (ProdW'(a) <<< (e1 - 1'b1));
      assign p  = w[WBits-1] ? -sh : sh;
    end else begin : g_mul
      assign p = ProdW'(a) * ProdW'($signed(w));
    end
    assign prods[s*ProdW +: ProdW] = (32'(s) < 32'(nvalid_i)) ? p : '0;
  end

  logic [TreeW-1:0] tree_sum;
  prim_adder_tree #(.N(Simd), .InW(ProdW), .Signed(1'b1)) u_tree (
    .in_i  (prods),
    .sum_o (tree_sum)
  );

  // The loader keeps every sum inside AccBits (it checks the bound per pass).
  logic [AccBits-1:0] int_sum;
  if (TreeW > AccBits) begin : g_trunc
    assign int_sum = tree_sum[AccBits-1:0];
    logic unused_hi;
    assign unused_hi = ^tree_sum[TreeW-1:AccBits];
  end else begin : g_ext
    assign int_sum = AccBits'($signed(tree_sum));
  end

  // Binary lanes: XNOR + popcount.
  logic [AccBits-1:0] bin_sum;
  if (MacKind == 1) begin : g_xnor
    // XNOR of the word's lanes below nvalid_i, then $countones: Yosys 0.23 maps it to its
    // macc/carry network as it did the balanced tree of 1-bit adders this replaced (synth_ice40
    // of the bnn PE alone, 32 / 64 lanes: 1641 / 3317 SB_LUT4 against the tree's 1654 / 3334;
    // the placed UP5K engine 3688 LUT4 against 3645, docs/synth.md), and the Verilated model
    // evaluates one popcount of the word instead of one add per lane (the 4 x 8 bnn engine's
    // cosim spent about half its time in that tree).
    logic [XnorLanes-1:0] valid, match;
    for (genvar b = 0; b < XnorLanes; b++) begin : g_bit
      assign valid[b] = 32'(b) < 32'(nvalid_i);
    end
    assign match = ~(act_i[XnorLanes-1:0] ^ w_i[XnorLanes-1:0]) & valid;
    localparam int unsigned PopW = $clog2(XnorLanes) + 1;
    logic [PopW:0] ones;
    assign ones = (PopW + 1)'($countones(match));
    assign bin_sum = AccBits'({ones, 1'b0}) - AccBits'(nvalid_i);
  end else begin : g_no_xnor
    assign bin_sum = '0;
    logic unused;
    assign unused = ^{bin_i, intw_i};
  end

  // Lane-wise ops: lane sel_i * Pe + PeIdx of the word.
  logic signed [ABits:0] lane;
  always_comb begin
    lane = '0;
    for (int unsigned g = 0; g < NGrp; g++) begin
      if (SelW'(g) == sel_i) begin
        lane = {signed_i & act_i[(g*Pe + PeIdx)*ABits + ABits - 1], act_i[(g*Pe + PeIdx)*ABits +: ABits]};
      end
    end
  end

  always_comb begin
    if (lanewise_i)                          psum_o = AccBits'(lane);
    else if (MacKind == 1 && bin_i && !intw_i) psum_o = bin_sum;
    else                                     psum_o = int_sum;
  end
endmodule
